"""Text written to CSV and XLSX is neutralised against formula injection."""

from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Unicode categories a spreadsheet may skip, or a reader not see, before a formula: spaces (NBSP, U+3000…),
#: line and paragraph separators, control characters, and format characters (U+200B zero-width space,
#: U+200C/D joiners, U+2060 word joiner, U+FEFF byte-order mark, U+00AD soft hyphen, bidirectional marks).
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
#: Candidates for ``safe_text`` in vectorised writers: text that does not start with a letter or a digit (what
#: ``safe_text`` changes is a subset: a formula character, maybe behind spaces and invisible characters).
#: ``CANDIDATE`` for Python's ``re`` (pandas); the CSV writer looks first characters up in ``risky_first``.
CANDIDATE = r"^[^\w]"


def _number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        return False


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in INVISIBLE_CATEGORIES


def _visible_start(text: str) -> str:
    """``text`` without the spaces and invisible characters it starts with."""
    for i, ch in enumerate(text):
        if not _invisible(ch):
            return text[i:]
    return ""


@cache
def risky_first() -> np.ndarray:
    """For every code point of the Basic Multilingual Plane, whether a text starting with it may be changed by
    ``safe_text`` (a formula character, a space or an invisible character): ``safe_text`` changes no text
    starting with any other. A vectorised writer looks its texts' first characters up here (built once)."""
    return np.array([chr(c) in FORMULA_START or _invisible(chr(c)) for c in range(0x10000)], dtype=bool)


def safe_text(text: str) -> str:
    """Text whose first visible character is = + - @ (or that starts with a tab or CR), and that is not a
    number, gets a leading apostrophe so spreadsheets do not run it. Spaces and invisible characters before
    that character (NBSP, U+200B, U+FEFF, …) do not hide it."""
    visible = _visible_start(text)
    risky = text.startswith(FORMULA_START) or visible.startswith(FORMULA_START)
    return "'" + text if risky and not _number(visible) else text
