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
