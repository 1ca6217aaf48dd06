"""The output side written column-wise: CSV bytes through Arrow (the same bytes as pandas' ``to_csv``), XLSX
through XlsxWriter (cells, formats and widths as before, deterministic bytes), reasons as templates per
reason code, findings held as columns."""

from __future__ import annotations

import csv
import io
import pickle
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from tthc.days import iso_days
from tthc.input.findings import ERROR, INFO, WARNING, Finding, Findings
from tthc.run import csv_writer, excel, outputs
from tthc.sanitize import safe_text


def pandas_csv(frame: pd.DataFrame) -> bytes:
    """The reference: every text cell (categories too) through ``safe_text``, then pandas' ``to_csv``."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            out[col] = values.cat.rename_categories([safe_text(str(c)) for c in values.cat.categories])
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            out[col] = values.map(lambda v: safe_text(v) if isinstance(v, str) else v)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def torture(n: int = 2000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    alphabet = list('ab ,"\n\r\t=+-@;\'x09.éệ') + ["", "\x00", "1,5", "-2", "=SUM(A1)"]

    def texts() -> list[str]:
        return ["".join(rng.choice(alphabet, size=rng.integers(0, 5))) for _ in range(n)]

    mixed = pd.Series(texts(), dtype=object)
    mixed[::7], mixed[::11], mixed[::13], mixed[::17], mixed[::19] = 3, 1.5, np.nan, True, None
    floats = rng.normal(size=n) * 10.0 ** rng.integers(-8, 20, n)
    floats[::9], floats[::23] = np.nan, np.inf
    return pd.DataFrame({
        "text": pd.Series(texts(), dtype="str").where(rng.random(n) > 0.1),
        "objects": pd.Series(texts(), dtype=object).where(rng.random(n) > 0.1, None),
        "mixed": mixed,
        "ints": rng.integers(-5, 5, n),
        "nullable": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(-3, 3, n)), dtype="Int8"),
        "floats": floats,
        "flags": rng.random(n) < 0.5,
        "maybe": pd.array(np.where(rng.random(n) < 0.2, None, rng.random(n) < 0.5), dtype="boolean"),
        "codes": pd.Categorical(np.where(rng.random(n) < 0.1, None, rng.choice(["x,y", "=1", "-2", 'q"'], n))),
        'we"ird,name': texts(),
    })


# ------------------------------------------------------------------------------------------------ CSV

@pytest.mark.parametrize("chunk", [7, csv_writer.CHUNK])
def test_csv_bytes_are_pandas_bytes_for_every_column_type(monkeypatch, chunk):
    monkeypatch.setattr(csv_writer, "CHUNK", chunk)
    frame = torture()
    fast = csv_writer.frame_csv(frame)
    assert fast is not None and fast == pandas_csv(frame)
    assert outputs.csv_bytes(frame) == fast


def test_csv_quoting_follows_the_csv_module():
    frame = pd.DataFrame({"a": ['x,y', 'say "hi"', "two\nlines", "cr\ronly", "", None], "b": range(6)})
    assert csv_writer.frame_csv(frame) == (
        b'a,b\n"x,y",0\n"say ""hi""",1\n"two\nlines",2\ncr\ronly,3\n,4\n,5\n')
    assert set(csv_writer.QUOTED) == {",", '"', "\n"}  # what Python 3.11's csv writer quotes for


def test_formula_text_is_neutralised_numbers_are_not():
    frame = pd.DataFrame({"a": ["=1+1", "+84 912", "-1,5", "@x", "\tx", "ok"], "c": pd.Categorical(["=A1"] * 6)})
    rows = list(csv.reader(io.StringIO(csv_writer.frame_csv(frame).decode(), newline="")))[1:]
    assert [r[0] for r in rows] == ["'=1+1", "'+84 912", "-1,5", "'@x", "'\tx", "ok"]
    assert {r[1] for r in rows} == {"'=A1"}  # categories are text too


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"day": pd.to_datetime(["2021-04-01", None]), "n": [1, 2]}),  # datetimes: pandas formats them
    pd.DataFrame({"only": ["a", ""]}),                                          # one column: "" written as '""'
    pd.DataFrame({"x": pd.array([1.5, None], dtype="Float64"), "y": ["a", "b"]}),
])
def test_other_column_types_go_through_pandas(frame):
    assert csv_writer.frame_csv(frame) is None
    assert outputs.csv_bytes(frame) == pandas_csv(frame)


def test_empty_table_is_its_header():
    frame = pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype="int64")})
    assert csv_writer.frame_csv(frame) == b"a,b\n" == pandas_csv(frame)


def test_neutralise_touches_only_formula_cells():
    frame = pd.DataFrame({"a": pd.Series(["=x", "y", None], dtype=object),
                          "b": pd.Series(["-1", "-z", "w"], dtype="str"), "n": [1, 2, 3]})
    out = outputs.neutralise(frame)
    assert out["a"].tolist() == ["'=x", "y", None] and out["b"].tolist() == ["-1", "'-z", "w"]
    assert out["n"].tolist() == [1, 2, 3] and frame["a"].tolist() == ["=x", "y", None]


# ------------------------------------------------------------------------------------------------ XLSX

def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_workbook_cells_formats_widths_and_bytes():
    frame = pd.DataFrame({
        "name": ["Phòng Tư pháp", "=HYPERLINK(\"x\")", None, "a\x01b"],
        "total": ["15.5", "", "Chưa chấm", 12],
        "n": pd.array([3, None, 10, 0], dtype="Int64"),
    })
    data = excel.workbook_bytes(frame, {"name": "Tên đơn vị", "total": "Tổng"}, "Trang", decimals=("total",),
                                integers=("n",))
    assert data == excel.workbook_bytes(frame, {"name": "Tên đơn vị", "total": "Tổng"}, "Trang",
                                        decimals=("total",), integers=("n",))
    ws = _sheet(data)
    assert ws.title == "Trang" and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:C5"
    assert [c.value for c in ws[1]] == ["Tên đơn vị", "Tổng", "n"]
    head = ws["A1"]
    assert head.font.b and head.fill.fill_type == "solid" and head.fill.fgColor.rgb.endswith("DDEBF7")
    assert head.alignment.wrap_text and head.alignment.vertical == "center"
    assert [c.value for c in ws["A"][1:]] == ["Phòng Tư pháp", "'=HYPERLINK(\"x\")", None, "ab"]
    assert all(c.data_type == "s" for c in ws["A"][1:] if c.value is not None)
    totals = ws["B"][1:]
    assert [c.value for c in totals] == [15.5, None, "Chưa chấm", 12]
    assert totals[0].number_format == "0.0" and totals[3].number_format == "0.0"
    assert [c.value for c in ws["C"][1:]] == [3, None, 10, 0] and ws["C2"].number_format == "0"
    # width: the widest cell as shown (numbers with one decimal), at least the header, plus 2, at least 6
    assert ws.column_dimensions["A"].width == len('=HYPERLINK("x")') + 2
    assert ws.column_dimensions["B"].width == len("Chưa chấm") + 2 and ws.column_dimensions["C"].width == 6
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {excel.ZIP_TIME}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and "<dc:creator>tthc</dc:creator>" in core


def test_long_text_width_is_capped_and_empty_sheet_has_no_filter():
    frame = pd.DataFrame({"message": ["x" * 200]})
    assert _sheet(excel.workbook_bytes(frame, {}, "S")).column_dimensions["A"].width == excel.MAX_WIDTH + 2
    ws = _sheet(excel.workbook_bytes(frame.iloc[:0], {}, "S"))
    assert ws.auto_filter.ref is None and [c.value for c in ws[1]] == ["message"]


# ------------------------------------------------------------------------------------------------ reasons

class Ind:
    def __init__(self, code: str, measure: str):
        self.code, self.measure = code, measure


def _day(text):
    return pd.NaT if text is None else pd.Timestamp(text)


def test_iso_days_formats_each_day_and_leaves_missing_blank():
    days = pd.Series(pd.to_datetime(["2021-04-01", None, "2021-04-01", "2021-12-31"]))
    got = iso_days(days)
    assert got.tolist()[::2] == ["2021-04-01", "2021-04-01"] and pd.isna(got[1]) and got[3] == "2021-12-31"



def _block(n: int, severity: str = INFO) -> pd.DataFrame:
    return pd.DataFrame({"severity": severity, "code": "outside_period", "file": "q/dossiers.csv",
                         "row": np.arange(2, n + 2), "column": "Ngày có kết quả", "value": "01/01/2021",
                         "message": [f"Hồ sơ D{i} ngoài kỳ" for i in range(n)]})


def test_findings_as_columns_keep_order_count_and_frame_without_objects():
    f = Findings()
    f.warning("a", "first", file="x.csv", row=3)
    f.add_columns(_block(3))
    f.defer(2, lambda: _block(2, WARNING))
    f.error("b", "last")
    assert len(f) == 7
    assert f.counts() == {ERROR: 1, WARNING: 3, INFO: 3}
    frame = f.frame()
    assert frame["code"].tolist() == ["a", *["outside_period"] * 5, "b"]
    assert frame["row"].tolist()[:3] == [3, 2, 3] and pd.isna(frame["row"].iloc[-1])
    assert str(frame["row"].dtype) == "Int64" and frame["suggestion"].tolist() == [""] * 7
    assert sum(isinstance(s, pd.DataFrame) for s in f._segments) == 2  # still columns: no objects built
    items = f.items
    assert [x.row for x in items] == [3, 2, 3, 4, 2, 3, None]
    assert items[1] == Finding(INFO, "outside_period", "q/dossiers.csv", 2, "Ngày có kết quả", "01/01/2021",
                               "Hồ sơ D0 ngoài kỳ")
    assert [x.code for x in f.errors] == ["b"] and f.frame().equals(frame)


def test_findings_columns_survive_extend_pickle_and_bad_input():
    calls = []
    f = Findings()
    f.defer(2, lambda: calls.append(1) or _block(2))
    g = Findings()
    g.info("x", "before")
    g.extend(f)
    h = pickle.loads(pickle.dumps(g))
    assert [x.code for x in h.items] == ["x", "outside_period", "outside_period"] and len(h) == 3
    assert len(f.frame()) == 2 and calls == [1]  # built once for both lists
    wrong = Findings()
    wrong.defer(3, lambda: _block(2))
    with pytest.raises(RuntimeError, match="2 built, 3 announced"):
        wrong.frame()
    with pytest.raises(ValueError):
        Findings().add_columns(_block(1, "fatal"))
    assert Findings().frame().columns.tolist()[:3] == ["severity", "file", "row"]
