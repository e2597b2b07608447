"""Every remark a Cox fit can make is in the one reason catalogue, so the desktop and the
workbook show it in Chinese too (the engine's rows_read_* notes were English on a Chinese
screen), and the catalogue's English is the result's own English sentence (JSON ``message``)."""
from __future__ import annotations

import re
from pathlib import Path

import memberdesk.analysis.cox as cox_module
from memberdesk.analysis.cox import CoxNote
from memberdesk.core.reasons import CATALOGUE, Reason, placeholders

SAMPLE = {"columns": "channel", "limit": 200, "engine": "duckdb", "n": 12, "per": 3.5, "rule": 10}


def test_every_cox_note_reads_in_both_languages() -> None:
    # every code a fit makes (CoxNote("code", ...) in the module's source)
    codes = sorted(set(re.findall(r'CoxNote\("([a-z_]+)"', Path(cox_module.__file__).read_text())))
    assert len(codes) >= 10 and "rows_read_entry" in codes, codes
    for code in codes:
        assert code in CATALOGUE, code
        names = placeholders(CATALOGUE[code]["en"])
        params = {k: SAMPLE[k] for k in names}
        note = CoxNote(code, tuple(params.items()))
        assert Reason(code, **params).text("en") == note.text
        zh = Reason(code, **params).text("zh_CN")
        # no English words but the engine's name (channel is shown as its Chinese label)
        assert not re.search(r"[A-Za-z]{3,}", zh.replace("duckdb", "")), (code, zh)
