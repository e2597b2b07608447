"""Workspaces (.mdesk): round trip, old formats, moved files, damaged files."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from memberdesk.core.dataset import Filters
from memberdesk.core.errors import DataError
from memberdesk.core.workspace import SCHEMA_VERSION, Workspace

# A workspace as the first MemberDesk release wrote it (format 1): kept verbatim so later
# versions keep opening it.
WORKSPACE_V1 = """{
 "files": ["/data/book/policies.csv", "/data/book/members.csv"],
 "filters": {"issue_from": "2020-01-01", "issue_to": null, "product": [],
             "channel": ["agency"], "region": [], "tier": []},
 "as_of": "2024-06-30",
 "page": "retention"
}"""


def _files(folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in ("policies.csv", "members.csv"):
        (folder / name).write_text("policy_id\n1\n", encoding="utf-8")
        out.append(str(folder / name))
    return out


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    sources = _files(tmp_path / "book")
    ws = Workspace(
        sources=sources,
        mappings=[{"table": "policies", "signature": "abc", "columns": [["保单号", "policy_id"]]}],
        filters=Filters(issue_from=pd.Timestamp("2021-01-01"), channel=("agency", "bank")),
        as_of=pd.Timestamp("2024-06-30"), page="drivers",
        page_state={"drivers": {"covariates": ["channel", "age_band"]}},
    )
    path = ws.save(tmp_path / "session")
    assert path.name == "session.mdesk"
    back = Workspace.load(path)
    assert back.sources == sources
    assert back.mappings == ws.mappings
    assert back.filters == ws.filters
    assert back.as_of == pd.Timestamp("2024-06-30")
    assert back.page == "drivers"
    assert back.page_state == {"drivers": {"covariates": ["channel", "age_band"]}}
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION


def test_version_1_file_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.mdesk"
    path.write_text(WORKSPACE_V1, encoding="utf-8")
    ws = Workspace.load(path)
    assert ws.sources == ["/data/book/policies.csv", "/data/book/members.csv"]
    assert ws.filters.channel == ("agency",)
    assert ws.filters.issue_from == pd.Timestamp("2020-01-01")
    assert ws.as_of == pd.Timestamp("2024-06-30")
    assert ws.page == "retention" and ws.mappings == [] and ws.page_state == {}


def test_moved_project_folder_is_found_through_relative_paths(tmp_path: Path) -> None:
    project = tmp_path / "project"
    sources = _files(project / "data")
    Workspace(sources=sources).save(project / "w.mdesk")
    moved = tmp_path / "elsewhere"
    project.rename(moved)
    ws = Workspace.load(moved / "w.mdesk")
    assert ws.missing_sources() == []
    assert ws.sources == [str((moved / "data" / n).resolve()) for n in ("policies.csv", "members.csv")]


def test_missing_files_are_remapped_to_the_folder_the_user_points_at(tmp_path: Path) -> None:
    ws = Workspace(sources=["/gone/book/policies.csv", "/gone/book/members.csv"])
    assert len(ws.missing_sources()) == 2
    new = _files(tmp_path / "new")
    assert ws.locate_missing(new[0]) == 2
    assert ws.sources == new and ws.missing_sources() == []


def test_newer_or_damaged_workspace_gives_a_clear_data_error(tmp_path: Path) -> None:
    newer = tmp_path / "newer.mdesk"
    newer.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}), encoding="utf-8")
    with pytest.raises(DataError, match="newer MemberDesk") as err:
        Workspace.load(newer)
    assert err.value.file == str(newer)
    garbage = tmp_path / "garbage.mdesk"
    garbage.write_text("not json", encoding="utf-8")
    with pytest.raises(DataError, match="not a MemberDesk workspace"):
        Workspace.load(garbage)


def test_unknown_page_is_ignored(tmp_path: Path) -> None:
    ws = Workspace.from_json({"schema_version": 2, "page": "no-such-page"})
    assert ws.page is None


@pytest.mark.parametrize("url", ["duckdb:///data/warehouse/book.duckdb",
                                 "postgresql://analyst@db.example:5432/warehouse",
                                 "spark:local[2]"])
def test_a_database_url_is_saved_and_read_back_as_written(tmp_path: Path, url: str) -> None:
    """A workspace of a connected book keeps its URL (resolving it as a file path made
    '/cwd/duckdb:/data/…', which opened nothing)."""
    path = Workspace(sources=[url]).save(tmp_path / "db")
    saved = json.loads(path.read_text(encoding="utf-8"))["sources"]
    assert saved == [{"path": url, "relative": None}]
    assert Workspace.load(path).sources == [url]
