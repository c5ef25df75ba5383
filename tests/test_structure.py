"""The layout's rules, read from the code's own imports: families do not reach into each other's
internals, core never imports Streamlit, and pages talk to core only through services."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

FAMILIES = ("data", "sales", "diagnosis", "experiments", "customers", "budget", "products", "improvements", "report")


def imports(path) -> set[str]:
    """Every module a file imports (from-imports as module.name, so `from core.x import service` counts)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def core_modules(found: set[str]) -> set[str]:
    """The core modules among `found`, keeping only the longest name of each (core.x.service, not core.x)."""
    names = {name for name in found if name.startswith("core.")}
    return {name for name in names if not any(other.startswith(name + ".") for other in names)}


def test_a_family_uses_the_platform_its_own_modules_and_other_families_services_only():
    wrong = []
    for family in FAMILIES:
        for path in (ROOT / "core" / family).glob("*.py"):
            for name in core_modules(imports(path)):
                parts = name.split(".")
                # the report draws every family's charts from their services' results
                allowed = (parts[1] in ("platform", family) or name == f"core.charts.{family}"
                           or (family == "report" and parts[1] == "charts")
                           or (parts[1] in FAMILIES and parts[2:3] == ["service"]))
                if not allowed:
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_core_runs_without_streamlit():
    users = [str(p.relative_to(ROOT)) for p in (ROOT / "core").rglob("*.py") if any(n.split(".")[0] == "streamlit" for n in imports(p))]
    assert users == []


def test_pages_reach_core_through_services_charts_and_the_platform():
    wrong = []
    for path in [ROOT / "app.py", *(ROOT / "pages").rglob("*.py")]:
        for name in core_modules(imports(path)):
            parts = name.split(".")
            if not (parts[1] in ("platform", "charts") or parts[2:3] == ["service"]):
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []
