"""manage.py recount: the kept counts (timeline.rollup) counted again from the events."""

from django.core.management.base import BaseCommand

from timeline import rollup


class Command(BaseCommand):
    help = (
        "Count every timeline's public events per day and month again, from the events. Every "
        "change keeps the counts itself; run this after a release that adds a kept count, once "
        "the workers of the release before have stopped (they did not keep it)."
    )

    def handle(self, **options):
        rollup.recount()
        if options["verbosity"]:
            self.stdout.write(f"Counted {rollup.DayCount.objects.count():,} day rows again")
