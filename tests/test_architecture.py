"""The core layers never import Qt or the UI (STYLE §Architecture 1)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "memberdesk"
QT_FREE = ("core", "analysis", "sample", "report", "commands")
FORBIDDEN = ("PySide6", "pyqtgraph", "memberdesk.ui", "shiboken6")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", QT_FREE)
def test_layer_does_not_import_qt(layer: str) -> None:
    offenders = []
    for path in (PACKAGE / layer).rglob("*.py"):
        if layer == "commands" and path.name == "gui.py":
            continue  # the gui command is the one place the CLI hands over to Qt
        for name in _imports(path):
            if name.split(".")[0] in FORBIDDEN or name.startswith("memberdesk.ui"):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_importing_core_layers_loads_no_qt() -> None:
    code = ("import sys, memberdesk.cli, memberdesk.core, memberdesk.analysis, memberdesk.report;"
            "import pkgutil, importlib\n"
            "for pkg in ('memberdesk.core', 'memberdesk.analysis', 'memberdesk.report'):\n"
            "    m = importlib.import_module(pkg)\n"
            "    for info in pkgutil.iter_modules(m.__path__):\n"
            "        importlib.import_module(pkg + '.' + info.name)\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


ROOT = PACKAGE.parent


def test_import_contracts_hold() -> None:
    """`lint-imports` (the contracts in pyproject.toml): layers import only downward
    (core -> analysis | sample -> page_registry -> report -> ui | commands -> cli) and no Qt
    below the UI. A violating import anywhere in the package fails this test."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(no_cache=True, no_logo=True))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_layer_contract_is_the_documented_one() -> None:
    """The contract itself cannot be weakened silently: the layer order and the Qt ban are
    the ones docs/architecture.md describes."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    contracts = {c["type"]: c for c in config["contracts"]}
    assert contracts["layers"]["layers"] == [
        "memberdesk.cli",
        "memberdesk.ui | memberdesk.commands",
        "memberdesk.report",
        "memberdesk.page_registry",
        "memberdesk.analysis | memberdesk.sample",
        "memberdesk.core",
    ]
    assert contracts["layers"].get("ignore_imports", []) == ["memberdesk.commands.gui -> memberdesk.ui.**"]
    forbidden = contracts["forbidden"]
    assert set(forbidden["source_modules"]) >= {"memberdesk.core", "memberdesk.analysis", "memberdesk.report",
                                                "memberdesk.page_registry", "memberdesk.sample"}
    assert set(forbidden["forbidden_modules"]) >= {"PySide6", "pyqtgraph", "shiboken6"}
