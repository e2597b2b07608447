"""Progress lines (``Progress.status``: English, like log lines) are shown in the UI language:
every line the core, the analyses, the report and the sample generator emit has its template in
the one Qt-free table (``core.status_lines``, read by ``ui.i18n.STATUS_TEMPLATES`` and by
``sample --lang``), so it is translated, and under 简体中文 the task bar and the Connect dialog
show the Chinese written here. The ``sample`` command's lines: tests/sample/test_sample_lang.py."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from memberdesk.ui import i18n

PACKAGE = Path(__file__).resolve().parents[2] / "memberdesk"


def _emitted_templates() -> set[str]:
    """``x.status("...")`` / ``x.status(f"...{v}...")`` in core, analysis, report and the
    sample generator, as templates with ``{0}``, ``{1}`` … for the interpolated parts."""
    found: set[str] = set()
    for sub in ("core", "analysis", "report", "sample"):
        for path in (PACKAGE / sub).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "status" and len(node.args) == 1):
                    continue
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    slots = iter(range(len(arg.values)))
                    found.add("".join(v.value if isinstance(v, ast.Constant)
                                      else f"{{{next(slots)}}}" for v in arg.values))
    return found


def test_every_progress_line_has_a_template() -> None:
    emitted = _emitted_templates()
    assert len(emitted) >= 30  # the walk finds the calls (guards a broken scan)
    assert "writing {0} ({1} rows)" in emitted  # ... the sample generator's too
    missing = sorted(emitted - set(i18n.STATUS_TEMPLATES))
    assert not missing, f"add these progress lines to ui.i18n.STATUS_TEMPLATES: {missing}"


def test_progress_lines_read_chinese(zh_cn: Any) -> None:
    i18n.set_ui_language("zh_CN")
    try:
        assert i18n.status_text("Checking policies") == "正在检查 保单"
        assert i18n.status_text("Reading 保单.csv") == "正在读取 保单.csv"
        assert i18n.status_text("Fitting the Cox model") == "正在拟合Cox模型"
        assert i18n.status_text("Alerts: csat by segment") == "预警：客户满意度（CSAT）（按分组）"
        assert i18n.status_text("Fitting the gbm model for validation") == "正在拟合用于验证的gbm模型"
        assert i18n.status_text("something new") == "something new"  # unknown: as it is
        # the sample generator's lines (numbers and file names kept)
        assert i18n.status_text("writing policies.csv (1,234 rows)") == \
            "正在写入 policies.csv（1,234 行）"
        assert i18n.status_text("writing the Excel copy: sheet policies (407 rows)") == \
            "正在写入 Excel 副本：工作表 policies（407 行）"     # the sheet's own name
        assert i18n.status_text("generating the book (2,000 members)") == \
            "正在生成样本数据（2,000 名会员）"
    finally:
        i18n.set_ui_language("en")
    assert i18n.status_text("Checking policies") == "Checking policies"


def test_task_bar_shows_the_chinese_line(qtbot: Any, zh_cn: Any) -> None:
    from memberdesk.ui import worker
    from memberdesk.ui.shell.task_status import TaskStatus

    i18n.set_ui_language("zh_CN")
    try:
        bar = TaskStatus()
        qtbot.addWidget(bar)
        runner = worker.TaskRunner(context="Persistency")
        bar._running.append(runner)  # shown as the current task
        bar._status(runner, "Measuring persistency")
        assert bar.label.text() == "正在计算继续率"
        bar.detach()
    finally:
        i18n.set_ui_language("en")


def test_english_lines_name_tables_in_words() -> None:
    # found: the Connect dialog said "Checking benefit_usage" and "Checking service_contacts"
    from memberdesk.core.status_lines import status_text

    assert status_text("Checking benefit_usage") == "Checking benefit usage"
    assert status_text("Checking service_contacts", "en") == "Checking service contacts"
    assert status_text("Checking premium_payments") == "Checking premium payments"
    # a sheet of the Excel copy is named as it is in the workbook; a line with no table as it is
    assert status_text("writing the Excel copy: sheet benefit_usage (4 rows)") == \
        "writing the Excel copy: sheet benefit_usage (4 rows)"
    assert status_text("Reading benefit_usage.csv") == "Reading benefit_usage.csv"
    assert status_text("Fitting the Cox model") == "Fitting the Cox model"
