from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from timeline import (
            caching,  # noqa: F401 - connects the data-version signals
            sanitise,  # noqa: F401 - cleans editor text before it is saved
        )
