"""``manage.py restore FILE [--merge]``: load a backup made by ``manage.py backup`` into a
migrated database. Into an empty one by default; ``--merge`` loads into a database that has
data (rows of the backup replace those with the same ids)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cantine import backup
from cantine.models import Canteen, User


class Command(BaseCommand):
    help = "Restore a backup written by `manage.py backup` (into an empty database unless --merge)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--merge",
            action="store_true",
            help="load into a database that already has data; same ids are overwritten",
        )

    def handle(self, *args, file: Path, merge: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such backup file: {file}")
        if not merge:
            busy = backup.tables_with_data([Canteen, User])
            if busy:
                raise CommandError(
                    "The database is not empty (it has "
                    + ", ".join(busy)
                    + "): restore into a fresh database, or pass --merge."
                )
        backup.restore(file)
        self.stdout.write(f"Restored {file}.")
