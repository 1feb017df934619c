from django.core.management.base import BaseCommand, CommandError

from menus.policies import add_default_variety_rules
from nutrition.models import RuleSet


class Command(BaseCommand):
    help = (
        "Give rule sets the shipped variety rules (main protein not two meals running, a "
        "starch at most twice a week, two weeks share at most half their dishes). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="Rule set names (default: all)")

    def handle(self, *args, names, **options):
        rule_sets = RuleSet.objects.filter(name__in=names) if names else RuleSet.objects.all()
        if names and rule_sets.count() != len(set(names)):
            raise CommandError("Unknown rule set name.")
        for rule_set in rule_sets:
            added = add_default_variety_rules(rule_set=rule_set)
            self.stdout.write(f"{rule_set.name}: {added} variety rules added")
