"""``memberdesk sample --lang zh_CN`` (issue 17 C.16): the progress lines on stderr read 简体中文
through the same table the desktop uses (core.status_lines), without importing Qt; English
stays the default. The Chinese is written out here as it should read."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RUN = """
import sys
from memberdesk.cli import main
rc = main(sys.argv[1:])
qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "pyqtgraph")))
print("QT:" + ",".join(qt), file=sys.stderr)
sys.exit(rc)
"""


def _sample(out: Path, *extra: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", RUN, "sample", "-o", str(out), "--members",
                           "60", "--no-excel", *extra], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[-1] == "QT:"  # the command never imports Qt
    return lines[:-1]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_sample_progress_lines_in_the_chosen_language(tmp_path: Path, lang: str) -> None:
    extra = () if lang == "en" else ("--lang", "zh_CN")
    lines = _sample(tmp_path / "book", *extra)
    if lang == "zh_CN":
        assert lines[0] == "sample: 正在生成样本数据（60 名会员）"
        assert "sample: 正在写入 gb18030/policies_zh.csv" in lines
        assert any(line.startswith("sample: 正在写入 policies.csv（") and line.endswith(" 行）")
                   for line in lines)
        assert lines[-1] == "sample: 100% (正在写入 gb18030/policies_zh.csv)"
        assert not any("writing" in line or "generating" in line for line in lines)
    else:
        assert lines[0] == "sample: generating the book (60 members)"
        assert lines[-1] == "sample: 100% (writing gb18030/policies_zh.csv)"


def test_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    from memberdesk.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["sample", "-o", str(tmp_path / "x"), "--lang", "fr"])
    assert exc.value.code == 2
