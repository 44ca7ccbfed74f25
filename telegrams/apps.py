from django.apps import AppConfig


class TelegramsConfig(AppConfig):
    name = "telegrams"
    verbose_name = "Telegrams and agendas"
