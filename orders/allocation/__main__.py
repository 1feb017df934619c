"""``python -m orders.allocation INSTANCE.json > SOLUTION.json`` (or '-' for stdin)."""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager

from orders.allocation.contract import InstanceError
from orders.allocation.parse import parse_instance
from orders.allocation.solve import solve


@contextmanager
def _stdout_to_stderr():
    """Keep stdout clean for the JSON document while native code runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def main(argv: list[str] | None = None) -> int:
    """``python -m orders.allocation INSTANCE.json|-`` writes the solution JSON on stdout.

    The time limit counts from here: reading and parsing the file are part of it."""
    started = time.perf_counter()
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m orders.allocation INSTANCE.json|-", file=sys.stderr)
        return 2
    source = args[0]
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
        data = json.loads(text)
    except OSError as exc:
        print(f"error: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"error: {source} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    try:
        instance = parse_instance(data)
    except InstanceError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    with _stdout_to_stderr():  # some native solvers print banners on stdout
        solution = solve(instance, started=started)
    json.dump(solution.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    code = main()
    # a solve cut at the deadline may still run on a worker thread (HiGHS cannot be
    # interrupted): the answer is written, so leave without waiting for it
    sys.stderr.flush()
    os._exit(code)
