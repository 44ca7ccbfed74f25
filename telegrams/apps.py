from django.apps import AppConfig


class TelegramsConfig(AppConfig):
    name = "telegrams"
    verbose_name = "Telegrams and agendas"

    def ready(self):
        from telegrams import signals  # noqa: F401  (connects the receivers)
