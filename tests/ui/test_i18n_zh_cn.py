"""MemberDesk in 简体中文: every page builds with Chinese text, the bundled CJK font has the
glyphs, numbers and dates follow the locale, the language follows the system unless chosen."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from PySide6.QtCore import QLocale
from PySide6.QtGui import QFont, QFontDatabase, QRawFont
from PySide6.QtWidgets import QLabel, QMessageBox

from memberdesk.core.workspace import PAGE_IDS
from memberdesk.ui import app, i18n
from memberdesk.ui.app import wait_until_idle

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_page_builds_in_chinese_on_the_sample(qtbot, sample_data: Path, zh_cn) -> None:
    from memberdesk.ui.shell.main_window import MainWindow

    assert any(p.endswith("qtbase_zh_CN.qm") for p in zh_cn)  # Qt's own dialog buttons
    window = MainWindow(lang="zh_CN")
    window.ask_before_close = False
    qtbot.addWidget(window)
    window.show()  # pages compute when shown
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.open_paths([str(sample_data)], user_action=False)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles[0] == "经营管理驾驶舱" and titles[-1] == "数据指标字典"
    assert all(HAN.search(t) for t in titles), titles
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    assert "保单" in window.summary_label.text() and "评估日" in window.summary_label.text()
    for page_id in PAGE_IDS:
        page = window.show_page(page_id)
        assert wait_until_idle(window, 60)
        assert window.last_error_dialog is None, page_id
        texts = [w.text() for w in page.findChildren(QLabel) if w.isVisibleTo(page) and w.text()]
        assert any(HAN.search(t) for t in texts), (page_id, texts[:5])
    # the dictionary page shows the Chinese dictionary (dictionary_frame("zh_CN"))
    dictionary = window.page("dictionary")
    model = dictionary.model
    qtbot.waitUntil(lambda: model.columnCount() > 0, timeout=30_000)
    headers = [model.headerData(c, Qt_horizontal()) for c in range(model.columnCount())]
    assert any(HAN.search(str(h)) for h in headers), headers
    names = [str(model.data(model.index(r, 2))) for r in range(model.rowCount())]
    assert "智能客服替代率" in " ".join(names) or any("继续率" in n for n in names), names[:5]
    # result tables translate their column ids, e.g. the retention table
    retention = window.page("retention")
    header = [retention.at_model.headerData(c, Qt_horizontal())
              for c in range(retention.at_model.columnCount())]
    assert "生存率（%）" in header and "95%置信下限" in header  # the report's labels (core/labels.py)
    # data values (Chinese regions in the sample) are shown as they are
    members = window.page("data").previews["members"]
    region = members.frame().columns.get_loc("region")
    assert any(HAN.search(str(members.data(members.index(r, region)))) for r in range(20))
    window.close()


def Qt_horizontal():  # noqa: N802 - short alias for the header orientation
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_bundled_cjk_font_is_the_fallback_and_has_the_glyphs(qapp) -> None:
    families = app.install_cjk_fallback(qapp)
    assert families[-1] == app.CJK_FAMILY and len(families) >= 2  # after the default family
    assert app.CJK_FAMILY in QFontDatabase.families()
    raw = QRawFont(str(app.resource_dir() / app.CJK_FONT_FILE), 12)
    assert raw.isValid() and raw.familyName() == app.CJK_FAMILY
    for text in ("继续率", "智能客服替代率", "人工接通率", "经营管理驾驶舱", "数据指标字典",
                 "百万医疗", "重疾险", "浙江", "广东", "（）：，。"):
        assert all(raw.supportsCharacter(ord(ch)) for ch in text), text
    assert not raw.supportsCharacter(0x2A700)  # outside GB2312: a real test, not a stub
    # the font each chart label starts from (the application font) lists the fallback
    assert app.CJK_FAMILY in QFont().families()


def test_numbers_percentages_and_dates_follow_the_locale() -> None:
    en = i18n.locale_for("en")
    zh = i18n.locale_for("zh_CN")
    de = QLocale(QLocale.Language.German, QLocale.Country.Germany)  # proves the locale is used
    assert i18n.format_int(1234567, en) == "1,234,567"
    assert i18n.format_int(1234567, zh) == "1,234,567"
    assert i18n.format_int(1234567, de) == "1.234.567"
    assert i18n.format_number(1234.5, 1, de) == "1.234,5"
    assert i18n.format_percent(0.9134, 1, en) == "91.3%"
    assert i18n.format_percent(0.9134, 1, zh) == "91.3%"
    assert i18n.format_percent(-0.012, 1, en, signed=True) == "−1.2%"
    assert i18n.format_percent(float("nan")) == "" and i18n.format_int(None) == ""
    day = pd.Timestamp("2024-12-31")
    assert i18n.format_date(day, zh) == "2024-12-31"
    assert i18n.format_long_date(day, zh) == "2024年12月31日"
    assert i18n.format_long_date(day, en) == "31 December 2024"
    assert i18n.format_month(day, zh) == "2024年12月" and i18n.format_month(day, en) == "Dec 2024"
    assert i18n.format_date(pd.NaT) == ""


def test_language_follows_the_system_unless_chosen_or_given() -> None:
    china = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    taiwan = QLocale(QLocale.Language.Chinese, QLocale.Country.Taiwan)
    french = QLocale(QLocale.Language.French, QLocale.Country.France)
    assert i18n.system_language(china) == "zh_CN" and i18n.system_language(taiwan) == "zh_CN"
    assert i18n.system_language(french) == "en"
    assert i18n.choose_language(None, None, china) == "zh_CN"
    assert i18n.choose_language(None, "en", china) == "en"  # the menu choice wins
    assert i18n.choose_language("zh_CN", "en", french) == "zh_CN"  # --lang wins
    assert i18n.choose_language("xx", None, french) == "en"


def test_language_menu_switches_remembers_and_says_restart(qtbot, monkeypatch) -> None:
    from memberdesk.ui.settings import AppSettings
    from memberdesk.ui.shell.main_window import MainWindow

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text, *a: shown.append(text))
    window = MainWindow(lang="en")
    window.ask_before_close = False
    qtbot.addWidget(window)
    view_menu = window.menuBar().actions()[1].menu()
    language = next(a.menu() for a in view_menu.actions() if a.menu() and "Language" in a.text())
    chinese = next(a for a in language.actions() if a.text() == "简体中文")
    chinese.trigger()
    assert AppSettings().language == "zh_CN"
    assert shown and "next time" in shown[0]


def test_user_guide_opens_in_chinese(qtbot, zh_cn) -> None:
    from memberdesk.ui.guide import GuideWindow

    guide = GuideWindow("zh_CN")
    qtbot.addWidget(guide)
    assert guide.windowTitle() == "MemberDesk 用户指南"
    text = guide.browser.toPlainText()
    for term in ("继续率", "删失", "风险比", "暴露数", "实际/预期", "可信度", "智能客服替代率",
                 "人工接通率", "累计发生率", "指标血缘"):
        assert term in text, term
    english = GuideWindow("en")
    qtbot.addWidget(english)
    assert "Kaplan-Meier" in english.browser.toPlainText()
