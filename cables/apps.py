from django.apps import AppConfig


class CablesConfig(AppConfig):
    name = "cables"
    verbose_name = "Cables and participants"
