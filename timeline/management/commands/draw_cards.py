"""manage.py draw_cards: the link-preview cards (og:image) for the site and each timeline."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from timeline.reader import cards


class Command(BaseCommand):
    help = (
        "Draw the 1200×630 PNG a shared link shows for the site and for every published "
        "timeline, into static/cards/. Run before collectstatic; make run and make serve do."
    )

    def handle(self, **options):
        try:
            written = cards.write_all()
        except DatabaseError as exc:
            raise CommandError(f"Cannot read the database ({exc}); is it migrated?") from None
        if options["verbosity"]:
            self.stdout.write(f"Drew {len(written)} cards in {cards.DIRECTORY}")
