"""manage.py import_timelinejs PATH --timeline SLUG: a TimelineJS JSON or Sheets CSV, as drafts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline.data.importers import ImportProblem, import_document, read


class Command(BaseCommand):
    help = (
        "Import a TimelineJS JSON file, or a CSV exported from the TimelineJS Google Sheets "
        "template, as draft events on a timeline (created unpublished if missing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .json or .csv file.")
        parser.add_argument("--timeline", required=True, help="Slug of the timeline to add to.")
        parser.add_argument(
            "--timezone", default="UTC", help="IANA zone the file's times are in (default UTC)."
        )
        parser.add_argument(
            "--category",
            default="Imported",
            help="Category for slides without a Group (default “Imported”).",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite events editors have changed since an earlier import (they become "
            "drafts again).",
        )

    def handle(self, path, timeline, timezone, category, update, **options):
        try:
            content = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        try:
            document = read(path, content)
            report = import_document(
                document,
                timeline=timeline,
                timezone=timezone,
                update=update,
                fallback_group=category,
            )
        except ImportProblem as exc:
            raise CommandError(f"{path}: {exc}. Nothing was imported.") from None

        done = f"{len(report.created)} new and {len(report.updated)} updated draft events"
        where = "a new, unpublished timeline" if report.timeline_created else "the timeline"
        self.stdout.write(self.style.SUCCESS(f"Imported {done} into {where} “{timeline}”."))
        if report.kept:
            self.stdout.write(
                f"Kept {len(report.kept)} events editors have changed: {', '.join(report.kept)}. "
                "Use --update to overwrite them."
            )
