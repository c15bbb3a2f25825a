"""The permission matrix lives only in stations/rules.py (issue 10): every other module asks a named
predicate, never a role by name. Read from the source with ``ast``, so a role check written anywhere
else fails here before it disagrees with the menu."""

import ast
from pathlib import Path

import daftari
from daftari.stations import rules
from daftari.stations.rules import Role

PACKAGE = Path(daftari.__file__).parent
RULES = PACKAGE / "stations" / "rules.py"
ROLE_VALUES = {role.value for role in Role}
ROLE_MEMBERS = set(Role.__members__)
# The role sets are the matrix's own working: a module that imports one decides by role.
ROLE_SETS = {name for name, value in vars(rules).items() if isinstance(value, frozenset) and value <= set(Role)}

# Where naming a role is data, not a decision: each says why.
DATA = {
    # The demo creates its officers, each in their role.
    "occurrences/management/commands/demo.py",
    # An officer's roles are read from their groups (and officers found by them, ``holding_role``); a
    # Django superuser holds the admin role.
    "stations/models.py",
    # A document rule names the office that records it ("medical" or "deployment"), from the rules file;
    # who may record it is asked of can_record_fitness / can_manage_deployments.
    "deployments/rules.py",
}


def _is_role_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in ROLE_VALUES


def role_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for each role named in a decision: ``Role.OCS``; a role's string compared
    (``== "ocs"``, ``in ("desk", "ocs")``) or looked up as a group name; a role set imported."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Role"
            and node.attr in ROLE_MEMBERS
        ):
            found.append((node.lineno, f"Role.{node.attr}"))
        elif isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                items = operand.elts if isinstance(operand, ast.Tuple | ast.List | ast.Set) else [operand]
                found += [(node.lineno, repr(item.value)) for item in items if _is_role_string(item)]  # type: ignore[attr-defined]
        elif isinstance(node, ast.keyword) and (node.arg or "").endswith(("groups__name", "groups__name__in")):
            found.append((node.value.lineno, f"{node.arg}=..."))
        elif isinstance(node, ast.ImportFrom) and node.module == "daftari.stations.rules":
            found += [(node.lineno, alias.name) for alias in node.names if alias.name in ROLE_SETS]
    return sorted(found)


def modules() -> dict[str, ast.AST]:
    return {
        str(path.relative_to(PACKAGE)): ast.parse(path.read_text(), filename=str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != RULES and "migrations" not in path.parts
    }


def test_no_module_but_the_rules_decides_by_naming_a_role() -> None:
    offenders = {name: found for name, tree in modules().items() if name not in DATA and (found := role_literals(tree))}
    assert offenders == {}


def test_the_modules_the_scan_flagged_are_read_and_name_no_role() -> None:
    named = {
        "fines/queries.py",
        "fines/views.py",
        "nodes/mirror.py",
        "nodes/hub.py",
        "nodes/figures.py",
        "stations/services.py",
        "custody/queries.py",
        "custody/views.py",
        # Whom a custody alert is texted to, and to whom a case may go (issue 10).
        "custody/alerts.py",
        "occurrences/casework.py",
        "stations/queries.py",
    }
    read = modules()
    assert named <= set(read)
    assert {name: role_literals(read[name]) for name in named} == {name: [] for name in named}


def test_each_module_let_off_still_names_a_role_so_the_list_does_not_go_stale() -> None:
    read = modules()
    assert {name: bool(role_literals(read[name])) for name in DATA} == dict.fromkeys(DATA, True)


def test_the_scan_sees_each_way_of_naming_a_role() -> None:
    source = """
from daftari.stations.rules import Role, STATION_ROLES, can_record_entry
if Role.OCS in scope.roles: pass
if name == "ocs": pass
if name in ("desk", "ocs"): pass
Officer.objects.filter(user__groups__name="investigator")
log(channel="desk")  # a channel, not a role
"""
    assert [what for _, what in role_literals(ast.parse(source))] == [
        "STATION_ROLES",
        "Role.OCS",
        "'ocs'",
        "'desk'",
        "'ocs'",
        "user__groups__name=...",
    ]
