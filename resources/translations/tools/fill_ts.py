"""Fill a Qt .ts file (written by ``pyside6-lupdate``) with the 简体中文 translations of
``zh_CN.py``, deterministically.

Usage: ``python resources/translations/tools/fill_ts.py resources/translations/memberdesk_zh_CN.ts``

Every ``<message>`` gets its translation from :data:`zh_CN.BY_CONTEXT` (context, source),
else :data:`zh_CN.COLUMNS` / :data:`zh_CN.VALUES` / :data:`zh_CN.TABLES` for the "Column" /
"Value" / "Table" contexts, else
:data:`zh_CN.ZH` (source). The ``type`` attribute ("unfinished", "vanished", "obsolete") is
removed when a translation is found; vanished/obsolete messages are dropped. Python
``{placeholders}`` must be the same in source and translation. Exit status 1 (and a list on
stderr) if any message has no translation or a placeholder mismatch; the file is written
either way so the missing ones show in Qt Linguist. Running it twice gives the same bytes.
"""
from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import zh_CN  # noqa: E402

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def translation_for(context: str, source: str) -> str | None:
    """The Chinese text of ``source`` in ``context`` (None if there is none)."""
    if (context, source) in zh_CN.BY_CONTEXT:
        return zh_CN.BY_CONTEXT[(context, source)]
    if context == "Column":
        return zh_CN.COLUMNS.get(source)
    if context == "Value":
        return zh_CN.VALUES.get(source)
    if context == "Table":
        return zh_CN.TABLES.get(source)
    return zh_CN.ZH.get(source)


def fill(root: ET.Element) -> list[str]:
    """Fill every message of the TS tree ``root`` in place; returns the problems."""
    problems: list[str] = []
    root.set("version", "2.1")
    root.set("language", "zh_CN")
    root.set("sourcelanguage", "en")
    for context in root.findall("context"):
        name = context.findtext("name") or ""
        for message in list(context.findall("message")):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            if translation.get("type") in ("vanished", "obsolete"):
                context.remove(message)
                continue
            text = translation_for(name, source)
            if text is None:
                problems.append(f"missing [{name}] {source!r}")
                translation.set("type", "unfinished")
                translation.text = None
                continue
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                problems.append(f"placeholders differ [{name}] {source!r} -> {text!r}")
            translation.attrib.pop("type", None)
            translation.text = text
        if not context.findall("message"):
            root.remove(context)
    return problems


def write_ts(root: ET.Element, path: Path) -> None:
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                    encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(argv[0])
    root = ET.parse(path).getroot()
    problems = fill(root)
    write_ts(root, path)
    for problem in problems:
        print(f"fill_ts: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
