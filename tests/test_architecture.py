"""The optimisers and the rule checker stay pure Python: importable and runnable without Django,
so they can be tested, benchmarked and called from the command line alone."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE_MODULES = [
    "nutrition.compliance",
    "nutrition.classification",
    "menus.planner",
    "orders.allocation",
    "orders.allocation.search",
    "cantine.local",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_nothing_from_django(module):
    check = (
        f"import sys, {module}; "
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
