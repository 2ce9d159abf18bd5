"""The import direction between the shop's modules (STYLE: sales may use inventory
and customers; repairs may use inventory, customers and sales; audit uses none).

The customer page's view is the one edge where customers meet sales and repairs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "jcicons"
# Which modules each one may not import, and the files allowed to compose them.
FORBIDDEN = {
    "audit": {"inventory", "customers", "sales", "repairs"},
    "inventory": {"customers", "sales", "repairs"},
    "customers": {"sales", "repairs"},
    "sales": {"repairs"},
}
EDGES = {SRC / "customers" / "views.py"}


def imported_modules(path: Path) -> set[str]:
    """Return the jcicons packages a source file imports, at any depth."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "jcicons" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_module_never_imports_the_modules_built_on_it(package):
    offenders = {
        str(path.relative_to(SRC)): sorted(imported_modules(path) & FORBIDDEN[package])
        for path in sorted((SRC / package).rglob("*.py"))
        if path not in EDGES
    }

    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_checker_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "def f():\n    from jcicons.repairs.models import RepairTicket\n",
        encoding="utf-8",
    )

    assert imported_modules(source) == {"repairs"}
