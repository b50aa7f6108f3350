from django.apps import AppConfig
from django.db.models.signals import post_migrate


def analyse(using: str = "default", **kwargs) -> None:
    """Refresh the query planner's statistics.

    SQLite keeps none until asked: without them it sorts every matching row to find the first
    one, even where an index already holds them in order. PostgreSQL's autovacuum does this on
    its own, but only later; after a bulk load the next page view should not wait for it.
    """
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from timeline import (
            caching,  # noqa: F401 - connects the data-version signals
            rollup,
            sanitise,  # noqa: F401 - cleans editor text before it is saved
        )
        from timeline.config import postgres
        from timeline.desk import admin  # noqa: F401 - the desk's admin lives with the desk

        rollup.connect()
        postgres.connect()

        post_migrate.connect(rollup.count_if_never_counted, sender=self)
        post_migrate.connect(analyse, sender=self)
