"""Index quarters from the command line: the scheme chosen by the quarter's last day, the index's tables and
manifest written, ``tthc check`` on an index quarter, and the old scheme forced with ``--rules``."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

from tthc.cli import main

QUARTER = "2026-Q3"


def _grades(folder):
    return list(csv.DictReader(io.StringIO((folder / "grades.csv").read_text(encoding="utf-8"))))


def test_grade_an_index_quarter_writes_the_index_tables_and_says_the_bands(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["grade", "--quarter", QUARTER, "--profile", "tinh-mau", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    rows = _grades(out)
    assert list(rows[0]) == ["unit_id", "unit_name", "level", "dossiers", "g1", "g2", "g3", "g4", "g5", "g6",
                             "total", "source", "result", "rank"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scheme"] == "nd118" and manifest["rule_set"]["id"] == "nd118-2025"
    assert manifest["policies"]["online_full_at"] == "0.5" and manifest["quarter"] == QUARTER
    assert {i["table"] for i in manifest["inputs"]} >= {"units", "dossiers", "index_evidence", "portal_scores"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    for name in ("components.csv", "officials.csv", "dossier_scores.csv", "findings.csv", "citizens.csv"):
        assert (out / name).is_file(), name
    # the summary's counts are the table's: every tier's count per band, written on two digits
    province = next(r for r in rows if r["level"] == "toan_tinh")
    assert f"Toàn tỉnh: {province['total'].replace('.', ',')} điểm, {province['result']}" in text
    for level, name in (("tinh", "Cấp tỉnh"), ("xa", "Cấp xã")):
        counts = Counter(r["result"] for r in rows if r["level"] == level)
        line = next(line for line in text.splitlines() if line.strip().startswith(name + ":"))
        for label, n in counts.items():
            assert f"{n:02d} {label}" in line


def test_a_unit_total_is_its_group_points_and_its_band_the_default_bands(tmp_path):
    out = tmp_path / "out"
    assert main(["grade", "--quarter", QUARTER, "--profile", "tinh-mau", "--out", str(out)]) == 0
    from decimal import Decimal

    bands = [(Decimal(90), "Xuất sắc"), (Decimal(80), "Tốt"), (Decimal(70), "Khá"), (Decimal(50), "Trung bình"),
             (Decimal(0), "Yếu")]
    for row in _grades(out):
        if not row["total"]:
            continue
        total = Decimal(row["total"])
        groups = [Decimal(row[f"g{i}"]) for i in range(1, 7) if row[f"g{i}"]]
        if len(groups) == 6:  # nothing missing: no rescaling, the total is the sum of the groups
            assert total == sum(groups), row["unit_id"]
        assert row["result"] == next(label for low, label in bands if total >= low), row["unit_id"]


def test_check_an_index_quarter(capsys):
    assert main(["check", "--quarter", QUARTER, "--profile", "tinh-mau"]) == 0
    text = capsys.readouterr().out
    assert "bộ quy tắc nd118-2025" in text
    assert "2026-Q3/dossiers.csv: đọc" in text and "2026-Q3/index_evidence.csv: đọc" in text
    assert "self_assessment" not in text  # a file the index does not use is not asked for


def test_the_scheme_is_chosen_by_the_quarters_last_day(tmp_path):
    assert main(["grade", "--quarter", "2025-Q3", "--profile", "tinh-mau", "--out", str(tmp_path / "q3")]) == 0
    assert json.loads((tmp_path / "q3" / "manifest.json").read_text(encoding="utf-8"))["scheme"] == "nd118"
    assert main(["grade", "--quarter", "2021-Q2", "--out", str(tmp_path / "old")]) == 0
    old = json.loads((tmp_path / "old" / "manifest.json").read_text(encoding="utf-8"))
    assert old["rule_set"]["id"] == "tt01-2018" and "scheme" not in old  # the TT 01 manifest is as it was


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_an_unreadable_finish_or_answer_date_is_left_out_of_what_it_cannot_inform(tmp_path):
    """31/04/2026 does not exist: the dossier stays in N for 1.4 and the like, but is left out of 2.1 and 6.3 (it is
    not 'still open'); a petition whose answer date cannot be read is left out of 6.1 and 6.2."""
    from decimal import Decimal

    from tthc.parameters.ruleset import load_ruleset
    from tthc.schemes.nd118 import grade_index_quarter

    data = tmp_path / "data"
    _write(data / "units.csv", "unit_id,unit_name,level\nX01,Xã An,xa\n")
    _write(data / "2026-Q2" / "dossiers.csv",
           "dossier_id,unit_id,received_at,due_at,finished_at,synced_on_time,rating\n"
           "D1,X01,02/04/2026,10/04/2026,09/04/2026,1,Hài lòng\n"
           "D2,X01,03/04/2026,12/04/2026,31/04/2026,1,Hài lòng\n"
           "D3,X01,04/04/2026,14/04/2026,20/04/2026,0,Hài lòng\n")
    _write(data / "2026-Q2" / "complaints.csv",
           "complaint_id,unit_id,received_at,due_at,answered_at,rated_unsatisfied,re_raised\n"
           "P1,X01,05/04/2026,15/04/2026,10/04/2026,0,0\n"
           "P2,X01,06/04/2026,16/04/2026,31/04/2026,0,0\n")
    from tthc.quarter import Quarter

    result = grade_index_quarter(data, Quarter.parse("2026-Q2"), load_ruleset("nd118-2025"))
    x01 = result.unit("X01")
    assert x01.dossiers == 3                                              # N keeps D2
    assert (x01.component("1.4").numerator, x01.component("1.4").denominator) == (2, 3)
    assert (x01.component("2.1").numerator, x01.component("2.1").denominator) == (1, 2)  # D1 of D1, D3
    assert x01.component("2.1").points == Decimal("10.00")
    assert (x01.component("6.1").numerator, x01.component("6.1").denominator) == (1, 1)  # P2 left out
    warnings = {(f.code, f.row) for f in result.findings.items if f.severity == "warning"}
    assert ("nd118_petition_unreadable", 3) in warnings
    assert any(f.code == "bad_date" and f.row == 3 and "dossiers" in f.file for f in result.findings.items)


def test_trend_over_index_quarters_graded_in_memory(tmp_path):
    out = tmp_path / "trend"
    assert main(["trend", "--profile", "tinh-mau", "--from", "2025-Q3", "--to", "2025-Q4", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "trend.csv").read_text(encoding="utf-8"))))
    assert {r["quarter"] for r in rows} >= {"2025-Q3", "2025-Q4"}
