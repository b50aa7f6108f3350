"""manage.py export_archive PATH: the whole chronology as one versioned JSON document."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from timeline.data import archive


class Command(BaseCommand):
    help = (
        "Write timelines, events, actors, sources, citations, claims, links and categories "
        "to one JSON archive keyed by slugs (use - for standard output)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, path, **options):
        try:
            text = archive.export()
        except DatabaseError as exc:
            # An unmigrated or unreachable database: say so rather than print a traceback.
            raise CommandError(f"Cannot read the database ({exc}); is it migrated?") from None
        if path == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}") from None
        self.stderr.write(f"Wrote {path} ({len(text.encode()):,} bytes).")
