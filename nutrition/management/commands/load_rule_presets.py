from django.core.management.base import BaseCommand

from nutrition.services import load_rule_presets


class Command(BaseCommand):
    help = "Create the shipped rule sets (GEMRCN school 2011, CNRC 2020 vegetarian). Idempotent."

    def handle(self, *args, **options):
        for rule_set in load_rule_presets():
            self.stdout.write(
                self.style.SUCCESS(f"{rule_set.name}: {rule_set.rules.count()} rules")
            )
