"""The core layers never import Qt or the UI (STYLE §Architecture 1)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "memberdesk"
QT_FREE = ("core", "analysis", "report", "commands")
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
