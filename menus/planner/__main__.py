"""``python -m menus.planner INSTANCE.json > SOLUTION.json`` (or '-' for stdin)."""

from __future__ import annotations

import argparse
import json
import sys

from menus.planner.planning import plan_menus
from nutrition.mealplan import InstanceError, from_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m menus.planner", description=__doc__.split("\n")[0]
    )
    parser.add_argument("instance", help="instance JSON file, or - for stdin")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT worker threads")
    parser.add_argument("--time-limit", type=float, default=None, help="override time_limit_s")
    args = parser.parse_args(argv)
    try:
        instance = from_json(args.instance)
    except InstanceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    result = plan_menus(instance, num_workers=args.workers, time_limit_s=args.time_limit)
    json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
