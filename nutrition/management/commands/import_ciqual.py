from django.core.management.base import BaseCommand, CommandError

from nutrition import ciqual
from nutrition.services import import_foods


class Command(BaseCommand):
    help = (
        "Load CIQUAL foods with AGRIBALYSE CO2e and fruit/vegetable seasons. All or nothing, "
        "idempotent (foods are upserted by CIQUAL code)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ciqual", default=str(ciqual.CIQUAL_PATH), help="CIQUAL CSV file.")
        parser.add_argument(
            "--agribalyse", default=str(ciqual.AGRIBALYSE_PATH), help="AGRIBALYSE CSV file."
        )
        parser.add_argument("--seasons", default=str(ciqual.SEASONS_PATH), help="Seasons CSV file.")
        parser.add_argument("--no-agribalyse", action="store_true", help="Skip CO2e.")
        parser.add_argument("--no-seasons", action="store_true", help="Skip seasons.")

    def handle(self, *args, **options):
        try:
            result = import_foods(
                ciqual_path=options["ciqual"],
                agribalyse_path=None if options["no_agribalyse"] else options["agribalyse"],
                seasons_path=None if options["no_seasons"] else options["seasons"],
            )
        except ciqual.DataFormatError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from exc
        report = result.report
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.foods_read} foods loaded ({result.created} new, {result.updated} "
                f"updated); {result.with_co2e} with AGRIBALYSE CO2e, {result.in_season_data} "
                "with seasons."
            )
        )
        self.stdout.write("Values per nutrient (missing stays unknown, never zero):")
        width = max(len(key) for key in report.counts)
        for key, per_kind in report.counts.items():
            self.stdout.write(
                f"  {key:<{width}}  missing {per_kind[ciqual.NutrientKind.MISSING]:>5}  "
                f"traces {per_kind[ciqual.NutrientKind.TRACES]:>4}  "
                f"below limit {per_kind[ciqual.NutrientKind.BELOW_LIMIT]:>4}  "
                f"exact {per_kind[ciqual.NutrientKind.EXACT]:>5}"
            )
        if result.co2e_unmatched:
            self.stdout.write(
                f"{len(result.co2e_unmatched)} AGRIBALYSE codes match no food of this table."
            )
