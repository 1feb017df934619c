"""``manage.py backup FILE [--canteen ID]``: the whole database, or one canteen's data with
what it depends on, as a fixture (``.json``, or ``.json.gz`` compressed). See cantine/backup.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cantine import backup
from cantine.models import Canteen


class Command(BaseCommand):
    help = "Back up the whole database, or one canteen's data (--canteen), to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="where to write (.json or .json.gz)")
        parser.add_argument("--canteen", type=int, help="only this canteen's data (its id)")

    def handle(self, *args, file: Path, canteen: int | None, **options):
        if not file.name.endswith((".json", ".json.gz")):
            raise CommandError("The backup file name ends in .json or .json.gz.")
        if not file.parent.is_dir():
            raise CommandError(f"No such directory: {file.parent}")
        if canteen is None:
            backup.dump_database(file)
            self.stdout.write(f"Whole database written to {file}.")
            return
        found = Canteen.objects.filter(pk=canteen).first()
        if found is None:
            raise CommandError(f"No canteen has the id {canteen}.")
        rows = backup.dump_canteen(found, file)
        self.stdout.write(f"{found}: {rows} rows written to {file}.")
