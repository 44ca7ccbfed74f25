from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class ReadingRoomConfig(AppConfig):
    name = "readingroom"
    verbose_name = "Reading Room"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from readingroom.caching import install_migrating_triggers, install_triggers

        # Before a migrate, triggers that read no other table (a migration may alter
        # any); after every migrate (the test databases too), the scoped triggers
        # that bump the data versions, on every table that exists by then.
        pre_migrate.connect(
            install_migrating_triggers, sender=self, dispatch_uid="readingroom-triggers-pre"
        )
        post_migrate.connect(install_triggers, sender=self, dispatch_uid="readingroom-triggers")
