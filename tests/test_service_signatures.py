"""Services are called one way: keyword-only arguments, and the acting user is ``actor: User``.

A caller reading ``send_order(order=order, actor=request.user)`` cannot swap two arguments
unseen, and a reader of the audit trail always finds who acted under the same name. The rule
covers the public *write* functions of every service module: a module named ``services`` (or
in a ``services`` package), or one whose docstring says it is one (``SERVICE_MARK``). A write
function is one that runs in ``transaction.atomic``, writes through the ORM itself, or takes
the acting user. Every module of the apps that writes through the ORM must be a service, so a
new write module cannot slip past the rule by its name.
"""

import ast
import importlib
import inspect
import typing
from pathlib import Path

import pytest

from cantine.models import User

ROOT = Path(__file__).resolve().parent.parent
APPS = ("cantine", "demo", "menus", "nutrition", "orders", "producers", "purchases")
SERVICE_MARK = "A service module"
ORM_WRITES = {"save", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
# Parameter names the acting user went by before ``actor``.
ACTOR_ALIASES = {"user", "author", "by", "acting_user", "requested_by"}
# Where writing is the module's whole point and the callers are the framework or the kernel:
# request handlers, forms, admin, commands, the models' own methods, the kernel's job runs,
# tokens and idempotency keys (their writes are bookkeeping of a request, not a use case), the
# backup and the demo seeding (scripts).
NOT_SERVICES = (
    "views.py",
    "_views.py",
    "api.py",
    "_api.py",
    "forms.py",
    "_forms.py",
    "admin.py",
    "models.py",
    "/models/",
    "/management/",
    "/migrations/",
    "/templatetags/",
    "cantine/solver_runs.py",
    "cantine/tokens.py",
    "cantine/idempotency.py",
    "cantine/backup.py",
    "cantine/health.py",
    "demo/",
)


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            yield relative, ast.parse(path.read_text(encoding="utf-8"))


def _is_service(relative: str, tree: ast.Module) -> bool:
    if relative.endswith("/services.py") or "/services/" in relative:
        return True
    docstring = ast.get_docstring(tree) or ""
    return SERVICE_MARK in docstring


def _writes(node: ast.AST) -> bool:
    """Whether the code calls an ORM write (``.save()``, ``.objects.create()`` ...) or a
    queryset's ``update``/``delete`` (on ``.objects``/``.filter()`` chains)."""
    for call in ast.walk(node):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        name = call.func.attr
        if name in ORM_WRITES:
            return True
        if name in {"update", "delete"}:
            chain = ast.unparse(call.func.value)
            if ".objects" in chain or ".filter(" in chain or ".exclude(" in chain:
                return True
    return False


def _atomic(function: ast.FunctionDef) -> bool:
    return any("atomic" in ast.unparse(d) for d in function.decorator_list)


def _write_functions(tree: ast.Module):
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        arguments = node.args
        names = {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
        if _atomic(node) or _writes(node) or "actor" in names or names & ACTOR_ALIASES:
            yield node.name


SERVICES = [relative for relative, tree in _app_modules() if _is_service(relative, tree)]


def _module_name(relative: str) -> str:
    return relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def signature_problems(module) -> list[str]:
    """What breaks the rule in one imported service module, one sentence per problem."""
    tree = ast.parse(inspect.getsource(module))
    problems = []
    for name in _write_functions(tree):
        function = inspect.unwrap(getattr(module, name))
        hints = typing.get_type_hints(function)
        for parameter in inspect.signature(function).parameters.values():
            where = f"{module.__name__}.{name}({parameter.name})"
            if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
                problems.append(f"{where} is positional: make it keyword-only")
            if parameter.name in ACTOR_ALIASES:
                problems.append(f"{where} is the acting user: name it `actor`")
            if parameter.name == "actor":
                allowed = hints.get("actor") in (User, User | None)
                if not allowed:
                    problems.append(f"{where} is not typed `User`")
    return problems


def test_the_service_modules_are_found():
    assert "orders/lifecycle.py" in SERVICES
    assert "nutrition/services/rule_sets.py" in SERVICES
    assert "menus/services.py" in SERVICES


@pytest.mark.parametrize("relative", SERVICES)
def test_service_writes_are_keyword_only_with_a_typed_actor(relative):
    module = importlib.import_module(_module_name(relative))
    assert signature_problems(module) == []


def test_every_module_that_writes_is_a_service():
    unnamed = [
        relative
        for relative, tree in _app_modules()
        if not _is_service(relative, tree)
        and not any(part in relative for part in NOT_SERVICES)
        and any(_writes(node) for node in tree.body if isinstance(node, ast.FunctionDef))
    ]
    assert unnamed == [], f"write modules without {SERVICE_MARK!r} in their docstring"


def test_the_rule_sees_a_positional_argument_and_an_untyped_actor(tmp_path, monkeypatch):
    """The check itself can fail: a module breaking both rules is reported twice."""
    (tmp_path / "broken_service.py").write_text(
        f'"""{SERVICE_MARK}: a broken example."""\n'
        "from django.db import transaction\n\n\n"
        "@transaction.atomic\n"
        "def send(order, *, actor):\n"
        "    order.save()\n\n\n"
        "def approve(*, order, user):\n"
        "    order.save()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    problems = signature_problems(importlib.import_module("broken_service"))
    assert problems == [
        "broken_service.send(order) is positional: make it keyword-only",
        "broken_service.send(actor) is not typed `User`",
        "broken_service.approve(user) is the acting user: name it `actor`",
    ]
