"""The 简体中文 translation is complete and current: lupdate finds nothing new, unfinished or
vanished; the committed .qm is what lrelease makes of the committed .ts; the fill tool keeps
Python placeholders and is idempotent."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "memberdesk_zh_CN.ts"
QM = ROOT / "resources" / "translations" / "memberdesk_zh_CN.qm"
TOOLS = ROOT / "resources" / "translations" / "tools"
BIN = Path(sys.executable).parent
LUPDATE = BIN / "pyside6-lupdate"
LRELEASE = BIN / "pyside6-lrelease"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    """``{(context, source): <translation> element}`` of a .ts file."""
    root = ET.parse(path).getroot()
    out = {}
    for context in root.findall("context"):
        name = context.findtext("name") or ""
        for message in context.findall("message"):
            out[(name, message.findtext("source") or "")] = message.find("translation")
    return out


def needs(tool: Path) -> None:
    if not tool.exists():
        pytest.skip(f"{tool.name} is not installed")


def test_lupdate_finds_no_new_unfinished_or_vanished_string(tmp_path: Path) -> None:
    needs(LUPDATE)
    fresh = tmp_path / "memberdesk_zh_CN.ts"
    shutil.copy(TS, fresh)
    # the same command as `make translations`, on a copy (keeps obsolete ones, to see them)
    subprocess.run([str(LUPDATE), "-extensions", "py", "-locations", "none",
                    str(ROOT / "memberdesk" / "ui"), "-ts", str(fresh)],
                   check=True, capture_output=True, cwd=ROOT)
    committed = messages(TS)
    updated = messages(fresh)
    new = sorted(key for key in updated if key not in committed)
    assert not new, f"UI strings missing from the committed .ts (run `make translations`): {new}"
    stale = sorted(key for key, t in updated.items() if t is not None
                   and t.get("type") in ("vanished", "obsolete"))
    assert not stale, f"strings no longer in the code are still in the .ts: {stale}"
    unfinished = sorted(key for key, t in updated.items()
                        if t is None or t.get("type") == "unfinished" or not (t.text or "").strip())
    assert not unfinished, f"untranslated strings: {unfinished}"


def test_every_translation_keeps_the_placeholders_and_is_chinese() -> None:
    has_han = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # hanzi or CJK punctuation
    same_ok = {"PNG…", "SVG…", "t = {t:.1f} {unit}", "aic", "bic"}  # nothing to translate
    for (context, source), translation in messages(TS).items():
        text = translation.text or ""
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(text)), (
            context, source, text)
        if source not in same_ok:
            assert has_han.search(text), f"[{context}] {source!r} -> {text!r} has no Chinese"
        if re.search(r"&[A-Za-z]", source.replace("&lt;", "").replace("&gt;", "")):
            # menu accelerators: 文件(&F)
            assert re.search(r"\(&[A-Z]\)", text), (source, text)


def test_insurance_terms_use_the_agreed_chinese() -> None:
    """Spot checks of the glossary in tools/zh_CN.py (issue 7)."""
    by_source = {source: t.text for (_c, source), t in messages(TS).items()}
    assert by_source["Cockpit"] == "经营管理驾驶舱"
    assert by_source["Metric dictionary"] == "数据指标字典"
    from memberdesk.page_registry import page  # page titles come from the registry, not the .ts

    assert "继续率" in page("persistency").title_zh
    assert by_source["Hazard ratios"] == "风险比"
    assert by_source["Policy year"] == "保单年度"
    assert "暴露数" in by_source["Total: exposure {e:,.2f} policy-years, actual {a:,.0f}, "
                                 "rate {r:.2%}{ae}"]
    assert "智能客服替代率" in by_source["Bot replacement"]
    assert "人工接通率" in by_source["Human connection"]
    assert "删失" in by_source["Share of policies still in force by time since issue. Event = "
                             "voluntary exit (lapse or surrender); deaths, maturities and "
                             "policies still in force are censored (ticks)."]
    assert "累计发生率" in by_source["Cumulative incidence by cause"]
    assert "指标血缘" in by_source["Lineage: computed from"]
    assert by_source["A/E"] == "实际/预期"
    columns = {s: t.text for (c, s), t in messages(TS).items() if c == "Column"}
    assert columns["lapsed"] == "失效" and columns["surrendered"] == "退保"
    assert columns["censored"] == "删失数" and columns["credibility"] == "可信度"
    assert columns["median"] == "中位数" and columns["exposure"] == "暴露数"


def test_committed_qm_is_compiled_from_the_committed_ts(tmp_path: Path) -> None:
    needs(LRELEASE)
    qm = tmp_path / "fresh.qm"
    subprocess.run([str(LRELEASE), "-silent", str(TS), "-qm", str(qm)], check=True,
                   capture_output=True)
    assert qm.read_bytes() == QM.read_bytes(), "run `make translations` and commit the .qm"


def test_fill_tool_is_idempotent_and_reports_missing(tmp_path: Path) -> None:
    ts = tmp_path / "x.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1">'
                  "<context><name>MainWindow</name>"
                  "<message><source>Retention</source><translation type=\"unfinished\"/>"
                  "</message><message><source>Gone</source><translation type=\"vanished\">x"
                  "</translation></message><message><source>Not in the dictionary</source>"
                  "<translation type=\"unfinished\"/></message></context></TS>",
                  encoding="utf-8")
    tool = [sys.executable, str(TOOLS / "fill_ts.py"), str(ts)]
    first = subprocess.run(tool, capture_output=True, text=True)
    assert first.returncode == 1 and "Not in the dictionary" in first.stderr
    once = ts.read_bytes()
    subprocess.run(tool, capture_output=True)
    assert ts.read_bytes() == once
    got = messages(ts)
    assert got[("MainWindow", "Retention")].text == "留存"
    assert ("MainWindow", "Gone") not in got  # vanished entries are dropped
    assert got[("MainWindow", "Not in the dictionary")].get("type") == "unfinished"
