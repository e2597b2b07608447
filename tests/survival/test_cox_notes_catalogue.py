"""Every remark a Cox fit can make is in the one reason catalogue, so the desktop and the
workbook show it in Chinese too (the engine's rows_read_* notes were English on a Chinese
screen), and the catalogue's English is the result's own English sentence (JSON ``message``)."""
from __future__ import annotations

import re
import string

from memberdesk.analysis.cox import CoxNote
from memberdesk.core.reasons import CATALOGUE, Reason

SAMPLE = {"columns": "channel", "limit": 200, "engine": "duckdb", "n": 12, "per": 3.5, "rule": 10}


def test_every_cox_note_reads_in_both_languages() -> None:
    for code, template in CoxNote._TEMPLATES.items():
        assert code in CATALOGUE, code
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        params = {k: SAMPLE[k] for k in names}
        note = CoxNote(code, tuple(params.items()))
        assert Reason(code, **params).text("en") == note.text
        zh = Reason(code, **params).text("zh_CN")
        # no English words but the engine's name (channel is shown as its Chinese label)
        assert not re.search(r"[A-Za-z]{3,}", zh.replace("duckdb", "")), (code, zh)
