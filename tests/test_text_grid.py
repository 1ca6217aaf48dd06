"""CSV grids as Arrow-backed text: pyarrow's parser gives the csv module's cells, or steps aside."""

from __future__ import annotations

import codecs
import csv
import io
import re

import pandas as pd
import pytest

from tthc.input import text_grid
from tthc.input.grids import ReadError
from tthc.input.text_grid import arrow_grid, plain_quotes, rows_grid
from tthc.input.values import _SPACE, _SPACE_RUN, parse_id


def _csv_module(text: str, sep: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _long(text: str, sep: str = ",", after: str = "") -> str:
    """``text`` followed by enough plain records for the head to end well inside the text."""
    return text + f"z{sep}z\n" * 40 + after


def _widths(text: str, sep: str) -> list[int]:
    return [len(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=sep)]


PLAIN = [
    ("a,b\n1,2\n", ","),
    ("a,b\r\n1,2\r\n3,\r\n", ","),
    ("a,b\r1,2\r3,4\r", ","),
    ('a,b\n"x,y",2\n', ","),
    ('a,b\n"x""y",2\r\n"",""""\n', ","),
    ('a,b\n"x\ny",2\n3,"q\r\nz"\n', ","),
    ('"Mã; hồ sơ";b\n"x;y";""\n', ";"),
    ("a\tb\n Tổng cộng \t\u00a0\n", "\t"),
    ("BÁO CÁO QUÝ II\n\n,,Đơn vị: hồ sơ\n(1),(2)\na,b\n", ","),  # titles, a blank line, numbering
    ('"Tiêu đề, có dấu phẩy"\n\na,b,c\n', ","),
]


@pytest.mark.parametrize("given_bytes", [False, True])
@pytest.mark.parametrize(("text", "sep"), PLAIN)
def test_arrow_reads_plain_csv_as_the_csv_module_does(text, sep, given_bytes):
    text = _long(text, sep)
    grid, widths = arrow_grid(text, sep, text.encode("utf-8") if given_bytes else None)
    assert grid.to_numpy().tolist() == _csv_module(text, sep)
    assert widths.tolist() == _widths(text, sep)
    assert all(isinstance(grid[c].dtype, pd.StringDtype) for c in grid.columns)
    assert not grid.isna().any().any()


@pytest.mark.parametrize(("text", "why"), [
    (_long("a,b\n", after='ab"c,2\n'), "quote inside a field"),
    (_long("a,b\n", after='"ab" c,2\n'), "text after the closing quote"),
    (_long("a,b\n", after='"ab,2\n3,4\n'), "quote never closed"),
    (_long("a,b\n", after="\n1,2\n"), "blank line below the head"),
    (_long("a,b\n", after="1,2,3\n"), "a line wider than the others"),
    (_long("a,b\n", after="1\n"), "a shorter line"),
    ("a,b\n1,2\n", "a small file"),
    ("", "empty text"),
])
def test_arrow_steps_aside_where_the_parsers_may_differ(text, why):
    assert arrow_grid(text, ",") is None, why


def test_too_many_quoted_fields_go_to_the_csv_module():
    text = 'a,b\n' + '"x",1\n' * 5
    for given in (text, text.encode("utf-8")):
        assert plain_quotes(given, ",")
        assert not plain_quotes(given, ",", most=4)


def test_an_oversize_cell_goes_to_the_csv_module():
    text = _long("a,b\n", after="x" * (csv.field_size_limit() + 1) + ",1\n")
    assert arrow_grid(text, ",") is None


def test_rows_grid_pads_short_rows_with_empty_text():
    rows = [["title"], [], ["a", "b", "c"]]
    grid = rows_grid(rows)
    assert grid.to_numpy().tolist() == [["title", "", ""], ["", "", ""], ["a", "b", "c"]]
    assert all(isinstance(grid[c].dtype, pd.StringDtype) for c in grid.columns)


def test_space_class_is_pythons_whitespace():
    python = {c for c in range(0x110000) if re.match(r"\s", chr(c))}
    assert {c for c in range(0x110000) if re.match(_SPACE, chr(c))} == python


@pytest.mark.parametrize("cell", ["a  b", "a\u3000\u00a0b", "a\u2028", "a\tb", "a\x85", "x\u205f\u202fy"])
def test_space_runs_are_found_on_arrow_and_object_columns(cell):
    old = re.compile(r"\s\s|[\t\r\n\v\f\x85\u2028\u2029]")
    assert old.search(cell)
    for dtype in ("str", object):
        assert pd.Series([cell, "ab"], dtype=dtype).str.contains(_SPACE_RUN, regex=True).tolist() == [True, False]
        assert parse_id(pd.Series([cell], dtype=dtype))[0].tolist() == [" ".join(cell.split())]


BREAKS = ["", "a", "a\n", "\na", "a\r\nb", "a\r\n\r\nb", "a\n\nb", "a\r\rb", "a\n\rb", "a\rb\n", "ab\r\n", "\r\n",
          "a\r", "x,y\r\n1,2\r\n\n", "é\nđ\r\nữ\r", "a\r\n\r", "\r\r\n\n"]


def _old_blank_line(text: bytes) -> bool:
    return text[:1] in (b"\r", b"\n") or b"\n\n" in text or b"\r\r" in text or b"\n\r" in text


@pytest.mark.parametrize("scan", [1 << 23, 1, 2, 3])
@pytest.mark.parametrize("text", BREAKS)
def test_line_breaks_count_lines_and_find_blank_lines_as_the_text_does(text, scan, monkeypatch):
    monkeypatch.setattr(text_grid, "_SCAN", scan)  # blocks of a few bytes: breaks across their edges
    data = ("\ufeff" + text).encode("utf-8")
    breaks = text_grid.line_breaks(data)
    assert breaks.tolist() == [i for i, b in enumerate(data) if b in (10, 13)]
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    lines = ends + (0 if not text or text.endswith(("\n", "\r")) else 1)
    assert text_grid.count_lines(data, breaks, 3) == lines == len(list(io.StringIO(text, newline="")))
    for start in range(3, len(data) + 1):
        assert text_grid._has_blank_line(data, start, breaks) == _old_blank_line(data[start:]), (text, start)
        assert text_grid._has_blank_line(data[start:]) == _old_blank_line(data[start:])


def _large(body: bytes) -> bytes:
    head = "STT,Mã hồ sơ,Mã đơn vị,Ngày tiếp nhận,Ngày hẹn trả,Ghi chú\n".encode()
    line = "1,H-{},X01,05/04/2021 08:00,06/04/2021 17:00,Đăng ký khai sinh\n"
    rows = [line.format(i).encode() for i in range(90_000)]
    return head + b"".join(rows[:45_000]) + body + b"".join(rows[45_000:])


@pytest.mark.parametrize(("data", "fast"), [
    (codecs.BOM_UTF8 + _large(b""), True),
    (_large(b""), True),
    (_large('2,"H-x",X01,"05/04/2021\r\n08:00",,"Ghi ""chú"", hai dòng\nhết"\n'.encode()), True),
    (_large(b"").replace(b"\n", b"\r\n"), True),
    ("BÁO CÁO\n\n".encode() + _large(b""), True),
    (_large(b"\n"), False),                                # a blank line: the csv module reads the file
    (_large(b'2,H"x,X01,,,\n'), False),                    # a stray quote
    (_large(b"2,H-\xc3(,X01,,,\n"), False),                 # not UTF-8: Windows-1258
    (codecs.BOM_UTF8 + _large(b"2,H-\xc3(,X01,,,\n"), False),  # a BOM and bytes that are not UTF-8: refused
])
def test_a_large_utf8_file_is_read_from_its_bytes_as_from_its_whole_text(tmp_path, data, fast, monkeypatch):
    from tthc.input import csv_reading
    from tthc.input.contract import TABLES

    path = tmp_path / "dossiers.csv"
    path.write_bytes(data)
    assert len(data) > 4 * csv_reading.SNIFF_CHARS + 4
    assert (csv_reading._large_utf8(data, TABLES["dossiers"]) is not None) == fast

    def read():
        try:
            sheet, encoding = csv_reading.read_csv_sheet(path, "x", TABLES["dossiers"])
        except ReadError as exc:
            return str(exc)
        return (encoding, sheet.separator, sheet.multiline, sheet.widths.tolist(),
                [sheet.grid[c].tolist() for c in sheet.grid.columns], [str(t) for t in sheet.grid.dtypes])

    got = read()
    monkeypatch.setattr(csv_reading, "_large_utf8", lambda data, table: None)  # decoded whole, as before
    assert got == read()


def test_blank_mask_on_arrow_text_is_strip_to_nothing_for_every_kind_of_space():
    from tthc.input.cells import blank_mask

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    cells = ["", " ", "a", " a", "é", "x ", "\u00e9\u00a0", *spaces, *(s + "a" for s in spaces),
             *(s * 2 for s in spaces)]
    column = pd.Series(cells, dtype="str")
    for text in (column, column.where(column != "a"), column.iloc[3:], column.where(column != " ").iloc[1:]):
        expected = [not isinstance(v, str) or v.strip() == "" for v in text.astype(object)]
        got = blank_mask(text)
        assert got.tolist() == expected
        assert got.index.equals(text.index)
        assert blank_mask(text.astype(object)).tolist() == expected


@pytest.mark.parametrize("cells", [
    ["a", " a ", "b  c", "", "  ", "a", "x\u00a0y", "a", "a", "b  c", "a", ""],  # repeated: once per distinct text
    ["a", "a", "a ", "b\tc", "a", "a"],
    ["a", "b", "c d", ""],                                                        # mostly distinct: whole column
])
def test_ids_of_a_csv_column_parsed_once_per_distinct_cell_as_cell_by_cell(cells):
    import numpy as np

    from tthc.input.values import _ids

    column = pd.Series(cells, dtype="str")
    column = column.where(column != "")
    got, bad = parse_id(column)
    expected, _ = _ids(column)
    assert got.dtype == expected.dtype == object and not bad.any()
    assert [v if isinstance(v, str) else ("nan", v is np.nan) for v in got] == \
        [v if isinstance(v, str) else ("nan", v is np.nan) for v in expected]
    assert got.tolist()[0] == "a"
