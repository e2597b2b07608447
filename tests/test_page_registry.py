"""The page registry (memberdesk/page_registry.py) is the one list of pages: every presenter
reads it, and every reference in it resolves (a renamed function fails here, not for a user)."""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from memberdesk import page_registry as reg
from memberdesk.core import schema
from memberdesk.core.workspace import PAGE_IDS as WORKSPACE_PAGE_IDS

ROOT = Path(__file__).resolve().parents[1]


def test_ids_are_unique_and_the_documented_ones() -> None:
    # docs/cli.md, `--page`: the contract's list, in navigation order (issue 14 adds the
    # Alerts page next to the cockpit)
    assert reg.PAGE_IDS == ("cockpit", "alerts", "data", "retention", "persistency", "drivers", "retention_list",
                            "projection",
                            "decrements", "experience", "benefits", "service", "claims", "dictionary")
    assert len(set(reg.PAGE_IDS)) == len(reg.PAGE_IDS)


def test_core_copy_of_the_page_ids_equals_the_registry() -> None:
    assert WORKSPACE_PAGE_IDS == reg.PAGE_IDS


@pytest.mark.parametrize("spec", reg.PAGES, ids=lambda s: s.id)
def test_every_analysis_reference_resolves_to_a_function(spec: reg.PageSpec) -> None:
    if spec.analysis is None:
        return
    fn = spec.analysis.resolve()
    assert inspect.isfunction(fn), spec.analysis
    assert fn.__module__ == spec.analysis.module


def test_a_wrong_reference_fails_loudly() -> None:
    with pytest.raises(AttributeError):
        reg.AnalysisRef("memberdesk.analysis.km", "no_such_function").resolve()
    with pytest.raises(ModuleNotFoundError):
        reg.AnalysisRef("memberdesk.analysis.no_such_module", "f").resolve()


@pytest.mark.parametrize("spec", reg.PAGES, ids=lambda s: s.id)
def test_titles_icons_and_tables_exist(spec: reg.PageSpec) -> None:
    assert spec.title and spec.title_zh and spec.title != spec.title_zh
    assert (ROOT / "resources" / "icons" / f"{spec.icon}.svg").is_file()
    assert set(spec.required_tables) <= set(schema.TABLES)


def test_report_sheets_come_from_the_registry_and_each_has_a_builder() -> None:
    from memberdesk.report import report_strings as rs
    from memberdesk.report.workbook import BUILDERS

    assert rs.SHEET_ORDER == reg.REPORT_SHEETS
    assert set(BUILDERS) == set(reg.REPORT_SHEETS)
    # the cockpit's sheets first, the reference pages' (data quality, definitions) last
    assert reg.REPORT_SHEETS[:len(reg.page("cockpit").sheets)] == reg.page("cockpit").sheets
    assert reg.REPORT_SHEETS[-2:] == ("data_quality", "definitions")


def test_every_page_command_is_a_cli_sub_command() -> None:
    from memberdesk import cli

    parser = cli.build_parser()  # imports every command module: a missing one fails here
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(reg.page_commands()) <= set(sub.choices)
    assert set(reg.page_commands()) <= set(cli.COMMANDS)
