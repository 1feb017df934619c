"""The README's dependency picture is executable: every import between apps, at module level
or inside a function, is an arrow the picture draws, every arrow drawn is a real import, the
apps import one another in one direction only, and no module of the project imports itself
back through others (no import circle).

The project's configuration package ``config/`` (settings, the root URL configuration, WSGI and
ASGI) may import every app and no app imports it; the kernel ``cantine/`` imports no app.
Tests and migrations are left out.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("cantine", "nutrition", "menus", "producers", "orders", "purchases", "demo")
KERNEL = "cantine"
CONFIGURATION = "config"
ARROW = re.compile(r"^\s*(\w+)\s*(?:-->|-\.->)\s*(?:\|[^|]*\|\s*)?(\w+)\s*$")


def drawn_arrows() -> set[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    picture = readme.split("```mermaid", 1)[1].split("```", 1)[0]
    return {m.groups() for line in picture.splitlines() if (m := ARROW.match(line))}


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in (*APPS, CONFIGURATION):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports, wherever the import statement stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # "from orders import lifecycle" imports the module orders.lifecycle
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def module_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def real_arrows(graph) -> dict[tuple[str, str], set[str]]:
    arrows = defaultdict(set)
    for module, imported in graph.items():
        for other in imported:
            source, target = module.split(".")[0], other.split(".")[0]
            if source != target:
                arrows[(source, target)].add(f"{module} -> {other}")
    return arrows


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_every_import_between_apps_is_drawn_in_the_readme():
    arrows = real_arrows(module_graph())
    undrawn = {
        arrow: sorted(why)[:3]
        for arrow, why in arrows.items()
        if arrow not in drawn_arrows() and arrow[0] != CONFIGURATION
    }
    assert not undrawn, f"imports the README picture does not draw: {undrawn}"


def test_every_arrow_drawn_is_a_real_import():
    stale = drawn_arrows() - set(real_arrows(module_graph()))
    assert not stale, f"arrows drawn in the README that no import makes: {sorted(stale)}"


def test_the_configuration_may_import_every_app_and_no_app_imports_it():
    """``config`` sits above the apps (its imports need no arrow); an app reads
    ``django.conf.settings``, never ``config`` itself."""
    back = {arrow: sorted(why)[:3] for arrow, why in real_arrows(module_graph()).items()}
    back = {arrow: why for arrow, why in back.items() if arrow[1] == CONFIGURATION}
    assert not back, f"apps importing the configuration: {back}"


def test_the_kernel_imports_no_app():
    arrows = real_arrows(module_graph())
    out = {arrow: sorted(why)[:3] for arrow, why in arrows.items() if arrow[0] == KERNEL}
    assert not out, f"the kernel imports apps: {out}"


def test_apps_depend_on_one_another_in_one_direction():
    assert not circles({app: set() for app in APPS} | _app_graph()), "apps import each other"


def _app_graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for source, target in real_arrows(module_graph()):
        graph[source].add(target)
    return dict(graph)


def test_no_module_imports_itself_back_through_others():
    assert not circles(module_graph())


def test_the_circle_finder_sees_a_circle():
    """The test above could not fail if the finder missed circles: it must see this one."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
