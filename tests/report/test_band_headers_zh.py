"""Chinese Retention sheet (issue 17 B.10): the chart grid's confidence-band headers name the
group in Chinese like the curve headers beside them — they read "agency 95%置信下限"."""
from __future__ import annotations

from memberdesk.report.sheets_retention import band_names


def test_band_headers_name_the_group_in_the_report_language() -> None:
    zh = band_names(["agency", "bancassurance", "Term Life 5"], "zh_CN", 0.95)
    assert zh["agency"] == ("个险代理人 95%置信下限", "个险代理人 95%置信上限")
    assert zh["bancassurance"][0] == "银保 95%置信下限"
    assert zh["Term Life 5"][1] == "Term Life 5 95%置信上限"  # a product name stays as it is
    en = band_names(["agency"], "en", 0.90)
    assert en["agency"] == ("agency 90% CI lower", "agency 90% CI upper")
