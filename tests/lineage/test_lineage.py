"""Forward and reverse lineage, consumers, the CLI and the OpenLineage export."""
from __future__ import annotations

import json

import pytest

from memberdesk.analysis.lineage import CONSUMERS, forward, lineage, openlineage_event, path_between, reverse
from memberdesk.analysis.metrics import REGISTRY, get_metric
from memberdesk.cli import main


def test_forward_lists_sources_and_where_the_metric_is_shown() -> None:
    v = forward("persistency_13")
    ids = set(v.nodes["id"])
    assert {"result:persistency_cohort", "policies.end_date", "claims.status",
            "param:free_look_days"} <= ids
    assert {"page:cockpit", "page:persistency", "sheet:summary"} <= set(v.consumers)
    depth = v.nodes.set_index("id")["depth"]
    assert depth["metric:persistency_13"] == 0 and depth["policies.end_date"] > depth["policies.exit_date"]


def test_reverse_lists_every_dependent_metric_and_presenter() -> None:
    v = reverse("claims.status")
    assert {"persistency_13", "persistency_25", "persistency_13_count", "claim_paid_ratio_count"} \
        <= set(v.metrics)
    assert "csat" not in v.metrics
    # exactly the metrics whose registered sources hold the column
    assert set(v.metrics) == {m.id for m in REGISTRY.values() if "claims.status" in m.sources}
    assert {"page:persistency", "sheet:claims"} <= set(v.consumers)
    assert reverse("policies.channel").segment_of
    with pytest.raises(KeyError):
        reverse("policies.no_such_column")


def test_lineage_dispatches_on_the_name() -> None:
    assert lineage("csat").direction == "forward"
    assert lineage("service_contacts.satisfaction").direction == "reverse"
    assert path_between("policies.end_date", "metric:free_look_cancellation_rate") == \
        ["policies.end_date", "policies.exit_date", "metric:free_look_cancellation_rate"]


def test_consumers_use_page_registry_ids() -> None:
    from memberdesk import page_registry

    pages = {f"page:{p}" for p in page_registry.PAGE_IDS} | {"page:alerts"}
    sheets = {f"sheet:{s}" for s in page_registry.REPORT_SHEETS} | {"sheet:alerts"}
    for consumer, metrics in CONSUMERS.items():
        if consumer.startswith("page:"):
            assert consumer in pages, consumer
        if consumer.startswith("sheet:"):
            assert consumer in sheets, consumer
        for mid in metrics:
            get_metric(mid)


def test_openlineage_column_lineage_facet() -> None:
    event = openlineage_event(["csat", "persistency_13"])
    assert event["eventType"] == "COMPLETE" and event["run"]["runId"]
    facet = event["outputs"][0]["facets"]["columnLineage"]
    assert facet["_schemaURL"].endswith("ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet")
    csat = facet["fields"]["csat"]["inputFields"]
    assert {(f["name"], f["field"]) for f in csat} == {("service_contacts", "started_at"),
                                                        ("service_contacts", "satisfaction")}
    premium = next(f for f in facet["fields"]["persistency_13"]["inputFields"]
                   if f["field"] == "annual_premium")
    assert premium["transformations"][0]["type"] == "DIRECT"
    assert {i["name"] for i in event["inputs"]} == {"service_contacts", "policies", "claims"}


def test_cli(capsys, tmp_path) -> None:
    assert main(["lineage", "policies.end_date", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["direction"] == "reverse" and "free_look_cancellation_rate" in data["metrics"]
    assert main(["lineage", "csat"]) == 0
    assert "service_contacts.satisfaction" in capsys.readouterr().out
    assert main(["lineage", "nope.nothing"]) == 2
    out = tmp_path / "ol.json"
    assert main(["lineage", "--openlineage", str(out)]) == 0
    assert set(json.loads(out.read_text())["outputs"][0]["facets"]["columnLineage"]["fields"]) \
        == set(REGISTRY)


def test_unavailable_metrics_need_their_tables_not_the_optional_inputs() -> None:
    """Checked against the analyses themselves: persistency is computed without claims, the
    service rates are not without contacts."""
    from memberdesk.analysis.lineage import unavailable_metrics
    from memberdesk.analysis.lineage_impact import evaluate

    from .conftest import book_dataset, rich_book

    book = rich_book(n_members=300, seed=5)
    tables = {"policies": book["policies"], "members": book["members"]}
    grey = unavailable_metrics(tables)
    values = evaluate(book_dataset(tables))
    for metric, (value, _) in values.items():
        assert (metric in grey) == (value is None), metric
