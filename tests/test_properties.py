"""Property-based: random mutations of a small valid quarter never raise an unhandled exception, and never
lose a row without a finding (rows read = rows used + rows excluded, each excluded row named)."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import openpyxl
from builders import corpus_builder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tthc.input.loading import load_quarter
from tthc.input.reading import ROW
from tthc.parameters.policies import resolve_policies
from tthc.parameters.ruleset import ruleset_for
from tthc.quarter import Quarter
from tthc.run.check import used_rows
from tthc.run.outputs import render
from tthc.schemes.tt01.engine import grade_inputs
from tthc.schemes.tt01.gaps import gap_findings

QUARTER = Quarter.parse("2021-Q2")
RULES = ruleset_for(QUARTER.bounds()[0])
POLICIES = resolve_policies(RULES)

build = corpus_builder()

TABLES = {"dossiers": build.DOSSIERS, "self_assessment": build.SELF, "unit_evidence": build.EVIDENCE,
          "surveys": build.SURVEYS, "units": build.UNITS}
INTERESTING = ["", " ", "abc", "=1+1", "-2", "@x", "31/02/2021", "2021-13-01", "1,5", "2.55", "99999", "45000",
               "Tổng cộng", "Cộng", "H2", "h1 ", "X9", "D1", "Rất hài lòng", "không", "x", "1e400", "NaN", "None",
               "01/04/1921", "01/04/2099", "(1)", "Mã hồ sơ", "<script>", "'", '"', "\n", "0x10", "١٢"]
cell_values = st.one_of(st.sampled_from(INTERESTING),
                        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                                max_size=12))
mutation = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(sorted(TABLES)), st.integers(1, 8), st.integers(0, 9), cell_values),
    st.tuples(st.just("dup"), st.sampled_from(sorted(TABLES)), st.integers(1, 8)),
    st.tuples(st.just("delete_row"), st.sampled_from(sorted(TABLES)), st.integers(1, 8)),
    st.tuples(st.just("blank_row"), st.sampled_from(sorted(TABLES)), st.integers(1, 8)),
    st.tuples(st.just("delete_column"), st.sampled_from(sorted(TABLES)), st.integers(0, 9)),
    st.tuples(st.just("total"), st.sampled_from(sorted(TABLES))),
)


def _apply(tables: dict[str, list[list[str]]], op: tuple) -> None:
    kind, name = op[0], op[1]
    rows = tables[name]
    if kind == "total":
        rows.append(["Tổng cộng"] + [""] * (len(rows[0]) - 1))
        return
    if kind == "delete_column":
        if len(rows[0]) < 2:
            return
        j = op[2] % len(rows[0])
        tables[name] = [r[:j] + r[j + 1:] for r in rows]
        return
    if len(rows) < 2:
        return
    i = 1 + (op[2] - 1) % (len(rows) - 1)
    if kind == "set":
        rows[i][op[3] % len(rows[i])] = op[4]
    elif kind == "dup":
        rows.append(list(rows[i]))
    elif kind == "delete_row":
        del rows[i]
    elif kind == "blank_row":
        rows[i] = [""] * len(rows[i])


def _write(root: Path, tables: dict[str, list[list[str]]], xlsx: bool) -> dict[str, list[int]]:
    """Write the folder; returns per file label the Excel row numbers of its non-blank data rows."""
    (root / "2021-Q2").mkdir(parents=True)
    written = {}
    for name, rows in tables.items():
        rel = "units.csv" if name == "units" else f"2021-Q2/{name}.csv"
        if name == "dossiers" and xlsx:
            rel = "2021-Q2/dossiers.xlsx"
            book = openpyxl.Workbook()
            for row in rows:
                book.active.append([openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", v) or None for v in row])
            book.save(root / rel)
        else:
            buffer = io.StringIO(newline="")
            csv.writer(buffer, lineterminator="\r\n").writerows(rows)  # quotes any CR or LF in a cell
            (root / rel).write_text(buffer.getvalue(), encoding="utf-8")
        written[rel] = [n for n, r in enumerate(rows[1:], start=2) if any(str(c).strip() for c in r)]
    return written


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=4), st.booleans())
def test_mutated_quarters_are_handled_and_lose_no_row_silently(ops, xlsx):
    tables = {name: [list(r) for r in rows] for name, rows in TABLES.items()}
    for op in ops:
        _apply(tables, op)
    root = Path(tempfile.mkdtemp(prefix="tthc-prop-"))
    try:
        written = _write(root / "data", tables, xlsx)
        inputs = load_quarter(root / "data", QUARTER, RULES, strict=False)
        if inputs.findings.errors:
            assert all(f.message for f in inputs.findings.errors)
            return
        result = grade_inputs(inputs, RULES, POLICIES)
        result.findings.extend(gap_findings(result))
        files = render(result)
        assert files["grades.xlsx"].startswith(b"PK") and files["findings.csv"]
        used = used_rows(result)
        named = {(f.file, f.row) for f in result.findings.items}
        for name, info in inputs.files.items():
            label = info.label
            acc = result.accounting[label]  # the loader's accounting with the grading's exclusions
            assert acc.read == acc.used + sum(acc.excluded.values())
            assert used[label] == acc.used, (label, acc)
            rel = label if name == "units" else label
            data_rows = written[rel]
            assert acc.read == len(data_rows), (label, acc.read, data_rows)
            if name == "dossiers":
                kept = set(result.population[ROW])
            elif name == "units":
                kept = set(inputs.units[ROW])
            else:
                kept = set(inputs.table(name)[ROW])
            lost = [r for r in data_rows if r not in kept and (label, r) not in named]
            assert not lost, (label, lost, [str(f) for f in result.findings.items if f.file == label])
    finally:
        shutil.rmtree(root, ignore_errors=True)


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=40))
def test_any_unit_name_is_written_safely(name):
    import pandas as pd

    from tthc.run.excel import workbook_bytes
    from tthc.run.outputs import csv_bytes
    from tthc.sanitize import _number

    def safe(value) -> bool:
        return value is None or not str(value).startswith(("=", "+", "-", "@")) or _number(str(value))

    from tthc.input.values import parse_text

    name = parse_text(pd.Series([name], dtype=object))[0][0]  # as a name read from an input file
    frame = pd.DataFrame({"unit_name": [name], "total": ["1.5"]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8"), newline="")))
    assert safe(rows[1][0])
    data = workbook_bytes(frame, {"unit_name": "Tên đơn vị"}, "S", decimals=("total",))
    cell = openpyxl.load_workbook(io.BytesIO(data)).active.cell(row=2, column=1)
    assert cell.value is None or cell.data_type == "s"
    assert safe(cell.value)
