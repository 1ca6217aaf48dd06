"""Formula cells saved without a value, in an XLSX workbook.

A workbook written by a program (not saved by Excel) may hold formulas with no cached result. Both
readers then give an empty cell, and an empty finish date would mean "no result yet": a wrong grade
without a word. This module finds such cells in the sheet XML, so the reader can put the formula text in
their place (``=DATE(2021;4;5)``): a value that is not blank and does not parse, hence a finding.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from pathlib import Path

import pandas as pd

#: The text put in a formula cell whose formula is shared from another cell (no text of its own).
SHARED_FORMULA = "=(công thức)"

_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"|'
                    rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_REL = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"|'
                  rb'<(?:\w+:)?Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_FORMULA = re.compile(rb'<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)', re.DOTALL)
_TEXT_RESULT = re.compile(rb'\bt="(?:str|inlineStr)"')
_VALUE = re.compile(rb'<(?:\w+:)?v\b[^>]*>\s*[^<\s]|<(?:\w+:)?is\b')


class FormulaCell(str):
    """The formula text of a cell saved without its value (a str, so it reads as text everywhere)."""


def uncached_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name, ``(row, column)`` (0-based) → ``=formula`` of every formula cell without a value."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as book:
            for name, member in _sheet_members(book).items():
                data = book.read(member)
                if not re.search(rb"<(?:\w+:)?f[\s>/]", data):  # no formula at all: the usual export
                    continue
                cells = _cells(data)
                if cells:
                    out[name] = cells
    except (OSError, KeyError, zipfile.BadZipFile):  # the readers say what is wrong with the file
        return {}
    return out


def mark_uncached_formulas(path: Path, grids: list[tuple[str, pd.DataFrame]]) -> list[tuple[str, pd.DataFrame]]:
    """``grids`` (sheet name, cells from A1) with each empty cell that is a formula without a value replaced
    by its formula text (a ``FormulaCell``)."""
    found = uncached_formulas(path)
    for sheet, grid in grids:
        for (r, c), formula in found.get(sheet, {}).items():
            if r < grid.shape[0] and c < grid.shape[1] and grid.iat[r, c] in ("", None):
                grid.iat[r, c] = FormulaCell(formula)
    return grids


def _sheet_members(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML inside the workbook."""
    workbook = book.read("xl/workbook.xml")
    rels = book.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for m in _REL.finditer(rels):
        rid, target = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
        targets[rid] = html.unescape(target.decode("utf-8"))
    members = {}
    for m in _SHEET.finditer(workbook):
        name, rid = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
        target = targets.get(rid)
        if target is None:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        members[html.unescape(name.decode("utf-8"))] = path
    return members


def _cells(data: bytes) -> dict[tuple[int, int], str]:
    cells = {}
    for m in _CELL.finditer(data):
        body = m.group(2) or b""
        formula = _FORMULA.search(body)
        if formula is None or _VALUE.search(body) or _TEXT_RESULT.search(m.group(1)):
            continue  # a value, or an empty text result that Excel computed (=IF(A2="";"";A2))
        ref = _REF.search(m.group(1))
        if ref is None:
            continue
        text = html.unescape((formula.group(1) or b"").decode("utf-8")).strip()
        cells[(int(ref.group(2)) - 1, _column(ref.group(1).decode("ascii")))] = f"={text}" if text else SHARED_FORMULA
    return cells


def _column(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - ord("A") + 1
    return number - 1
