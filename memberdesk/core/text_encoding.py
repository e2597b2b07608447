"""Decode a text table strictly, over the whole file, or refuse it with the line at fault.

Rules (docs/data-contract.md, "Your data"):

* A byte-order mark decides: UTF-8 (``utf-8-sig``) or UTF-16. UTF-16 without a BOM is
  recognised by its NUL bytes on every other position.
* Otherwise the whole file must decode as UTF-8, else as GB18030 (a superset of GBK/GB2312) —
  checked over every byte, not a sample. A file holding UTF-8 lines *and* lines in another
  encoding is refused, naming the first line that is not UTF-8.
* A GB18030 decoding must be plausible (judged on all its text, or on 64 slices spread
  over a file of more than 16M characters): Latin-1/Windows-1252 bytes (``Müller``) also decode as
  GB18030 (``M黮ler``), but into characters outside GB2312's common set, because an accented
  letter followed by an ASCII letter lands in GBK's extension area. When more than a fifth of
  the distinct non-ASCII characters fall outside GB2312, the text is not Chinese; it is read as
  Windows-1252 when that gives letters (plainly Western text), else refused.
* A NUL byte anywhere refuses the file, naming its line (binary content or a broken export).
* The user can name the encoding (``--encoding``, the import wizard); it is then applied
  strictly to the whole file.
"""
from __future__ import annotations

import codecs
import re

from memberdesk.core.errors import DataError
from memberdesk.core.reasons import Note, Reason

_CHUNK = 1 << 24
_PLAUSIBLE_OUTSIDE_GB2312 = 0.2  # share of distinct non-ASCII characters
TRIED = ("UTF-8", "GB18030", "Windows-1252")


def canonical_encoding(name: str) -> str:
    """The Python codec name of ``name`` (``latin1`` -> ``iso8859-1``); ValueError if unknown."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ValueError(f"unknown encoding {name!r} (e.g. utf-8, gb18030, cp1252, "
                         "latin-1, utf-16)") from None


def line_of(raw: bytes, pos: int) -> int:
    """1-based physical line holding byte ``pos``."""
    return raw.count(b"\n", 0, pos) + 1


def decode_text(raw: bytes, file: str, encoding: str | None = None) -> tuple[bytes, str, list[str]]:
    """``(utf-8 bytes without BOM, encoding used, notes)`` of a whole text file.

    Raises
    ------
    DataError
        Binary content, a NUL byte, mixed encodings, or no plausible encoding: names the file,
        the first bad line and the encodings tried.
    """
    if encoding is not None:
        return _decode_chosen(raw, file, canonical_encoding(encoding)), encoding, []
    if raw.startswith(codecs.BOM_UTF8):
        return _checked_utf8(raw[len(codecs.BOM_UTF8):], file), "utf-8-sig", []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_chosen(raw, file, "utf-16"), "utf-16", []
    nul = raw.find(b"\x00")
    if nul >= 0:
        utf16 = _utf16_without_bom(raw)
        if utf16 is not None:
            return (_decode_chosen(raw, file, utf16), utf16,
                    [Note(Reason("encoding_utf16_without_bom", encoding=utf16.upper()), file)])
        raise _nul_error(raw, nul, file)
    if raw.isascii():
        return raw, "utf-8", []
    bad = _utf8_error(raw)
    if bad is None:
        return raw, "utf-8", []
    return _legacy(raw, file, bad)


def _decode_chosen(raw: bytes, file: str, encoding: str) -> bytes:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(Note(Reason("encoding_invalid_bytes", encoding=encoding, byte=exc.start)),
                        file=file, row=line_of(raw, exc.start)) from None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        pos = text.index("\x00")
        raise DataError(Note(Reason("encoding_nul_character")), file=file,
                        row=text.count("\n", 0, pos) + 1)
    return text.encode("utf-8")


def _checked_utf8(raw: bytes, file: str) -> bytes:
    bad = _utf8_error(raw)
    if bad is not None:
        raise DataError(Note(Reason("encoding_utf8_then_not")), file=file, row=line_of(raw, bad))
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise _nul_error(raw, nul, file)
    return raw


def _utf8_error(raw: bytes) -> int | None:
    """Byte offset of the first invalid UTF-8 sequence, None when the whole file is valid
    (decoded in 16 MiB chunks: no full-size copy)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(raw), _CHUNK):
        try:
            decoder.decode(raw[start:start + _CHUNK], final=start + _CHUNK >= len(raw))
        except UnicodeDecodeError:
            lo = raw.rfind(b"\n", 0, start) + 1  # re-decode from the line start for the offset
            try:
                raw[lo:start + _CHUNK].decode("utf-8")
            except UnicodeDecodeError as exc:
                return lo + exc.start
            return start  # pragma: no cover - the chunk boundary split a valid sequence
    return None


def _utf16_without_bom(raw: bytes) -> str | None:
    sample = raw[:1 << 16]
    half = max(len(sample) // 2, 1)
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    guess = "utf-16-le" if odd > 0.3 and even < 0.05 else "utf-16-be" if even > 0.3 and odd < 0.05 \
        else None
    if guess is None or len(raw) % 2:
        return None
    try:
        raw.decode(guess)
    except UnicodeDecodeError:
        return None
    return guess


def _nul_error(raw: bytes, pos: int, file: str) -> DataError:
    sample = raw[:1 << 16]
    control = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    if control > len(sample) * 0.05:
        return DataError(Note(Reason("encoding_binary")), file=file, row=line_of(raw, pos))
    return DataError(Note(Reason("encoding_nul_byte")), file=file, row=line_of(raw, pos))


def _legacy(raw: bytes, file: str, utf8_bad: int) -> tuple[bytes, str, list[str]]:
    """The file is not UTF-8 (first bad byte ``utf8_bad``): GB18030 when plausible, else
    Windows-1252 when plainly Western, else refused."""
    line = line_of(raw, utf8_bad)
    if not raw[:utf8_bad].isascii() or _utf8_lines_after(raw, utf8_bad):
        raise DataError(Note(Reason("encoding_mixed")), file=file, row=line)
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausibly_chinese(text):
        return text.encode("utf-8"), "gb18030", []
    western = _western(raw)
    if western is not None:
        return western.encode("utf-8"), "cp1252", [Note(Reason("encoding_read_as_cp1252"), file)]
    code = "encoding_unknown_gb_unlikely" if text is not None else "encoding_unknown_gb_invalid"
    raise DataError(Note(Reason(code, tried=", ".join(TRIED))), file=file, row=line)


def _utf8_lines_after(raw: bytes, start: int) -> bool:
    """Whether a line from ``start`` on is valid UTF-8 holding Chinese characters (three or
    more: a line of GB18030 bytes is practically never valid UTF-8 with that many), i.e. a
    UTF-8 line in a file whose earlier line is not UTF-8. Decoded 4 MiB at a time."""
    pos = raw.rfind(b"\n", 0, start) + 1
    while pos < len(raw):
        end = raw.find(b"\n", min(pos + (1 << 22), len(raw)))
        end = len(raw) if end < 0 else end
        for line in raw[pos:end].decode("utf-8", errors="replace").split("\n"):
            if not line.isascii() and "\ufffd" not in line and _CJK3.search(line):
                return True
        pos = end + 1
    return False


_CJK3 = re.compile("[\u4e00-\u9fff].*[\u4e00-\u9fff].*[\u4e00-\u9fff]")


def _plausibly_chinese(text: str) -> bool:
    distinct = _distinct_non_ascii(text)
    if not distinct:
        return True
    outside = 0
    for ch in distinct:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            outside += 1
    return outside <= _PLAUSIBLE_OUTSIDE_GB2312 * len(distinct)


def _distinct_non_ascii(text: str) -> set[str]:
    """The distinct non-ASCII characters of ``text``: all of it up to 16M characters, else
    64 evenly spaced slices of 128K characters (the plausibility of a decoding, not its
    validity, which is checked over every byte)."""
    import numpy as np

    seen = np.zeros(0x110000, dtype=bool)  # one flag per code point: no sorting
    whole = len(text) <= 1 << 24
    step = 1 << 22 if whole else len(text) // 64
    width = step if whole else 1 << 17
    for i in range(0, len(text), step):
        piece = text[i:i + width]
        if not piece.isascii():
            seen[np.frombuffer(piece.encode("utf-32-le"), dtype=np.uint32)] = True
    seen[:128] = False
    return {chr(c) for c in np.flatnonzero(seen).tolist()}


def _western(raw: bytes) -> str | None:
    """Windows-1252 text when its non-ASCII characters are mostly letters, else None."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    distinct = [ch for ch in set(text) if ord(ch) > 127]
    letters = sum(ch.isalpha() for ch in distinct)
    return text if letters >= 0.7 * max(len(distinct), 1) else None
