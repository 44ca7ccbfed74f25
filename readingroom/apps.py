from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReadingRoomConfig(AppConfig):
    name = "readingroom"
    verbose_name = "Reading Room"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from readingroom.caching import install_triggers

        # After every migrate (the test databases too): (re)install the triggers
        # that bump the data version, on every table that exists by then.
        post_migrate.connect(install_triggers, sender=self, dispatch_uid="readingroom-triggers")
