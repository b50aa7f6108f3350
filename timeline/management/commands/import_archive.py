"""manage.py import_archive PATH: load an archive written by export_archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline.data import archive


class Command(BaseCommand):
    help = (
        "Load a JSON archive from export_archive in one transaction. Records already here "
        "(same slug) are kept as they are unless --update is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Replace records that already exist with the archive's version.",
        )

    def handle(self, path, update, **options):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        try:
            counts = archive.load(text, update=update)
        except archive.ArchiveProblem as exc:
            raise CommandError(f"{path}: {exc}. Nothing was imported.") from None
        summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "nothing"
        self.stdout.write(self.style.SUCCESS(f"Loaded {path}: {summary}."))
        if any(what.endswith("kept") for what in counts) and not update:
            self.stdout.write("Records already here were kept; use --update to replace them.")
