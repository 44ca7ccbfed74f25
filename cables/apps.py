from django.apps import AppConfig


class CablesConfig(AppConfig):
    name = "cables"
    verbose_name = "Cables and participants"

    def ready(self):
        from cables import signals  # noqa: F401  (connects the receivers)
