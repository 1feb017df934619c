from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from menus.calendar_import import import_calendar


class Command(BaseCommand):
    help = (
        "Import school holidays (Corse, overseas académies, or years the package lacks) from "
        "the official data.education.gouv.fr export fr-en-calendrier-scolaire (CSV, ';')."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--source",
            default="data.education.gouv.fr, jeu fr-en-calendrier-scolaire",
            help="Where the file comes from, with its download date.",
        )

    def handle(self, *args, file: Path, source: str, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        report = import_calendar(text=text, source=source)
        if report.problems:
            raise CommandError("\n".join(report.problems))
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created} periods added, {report.kept} already known, "
                f"{report.skipped} rows for other zones or teachers"
            )
        )
