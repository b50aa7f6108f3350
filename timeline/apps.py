from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"
    default_auto_field = "django.db.models.BigAutoField"
