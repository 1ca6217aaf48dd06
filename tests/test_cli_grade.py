"""The command-line contract of ``tthc grade``: exit codes, files written, nothing written on failure."""

import json

import pandas as pd
import pytest
from builders import dossier, write_quarter

from tthc.cli import main

CONTRACT_FILES = {"grades.csv", "officials.csv", "dossier_scores.csv", "findings.csv", "manifest.json"}


@pytest.fixture
def data(tmp_path):
    return write_quarter(tmp_path / "data", [dossier("D1"), dossier("D2", unit="X1", finished="2021-04-10")])


def test_grade_writes_the_contract_tables(data, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} >= CONTRACT_FILES
    grades = pd.read_csv(out / "grades.csv", dtype=str, keep_default_na=False)
    assert list(grades.columns) == ["unit_id", "unit_name", "level", "dossiers", *[f"i{n}" for n in range(1, 10)],
                                    "total", "self_total", "result"]
    assert list(grades["unit_id"]) == ["H1", "X1"]
    assert grades.set_index("unit_id").at["H1", "total"] == "18.0"
    officials = pd.read_csv(out / "officials.csv", dtype=str)
    assert list(officials.columns[:5]) == ["official", "unit_id", "dossiers", "score", "completion"]
    findings = pd.read_csv(out / "findings.csv", dtype=str)
    assert {"severity", "file", "row", "column", "message"} <= set(findings.columns)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rule_set"]["id"] == "tt01-2018" and len(manifest["rule_set"]["sha256"]) == 64
    assert manifest["policies"]["population"] == "resolved_in_period"
    assert {i["table"] for i in manifest["inputs"]} >= {"units", "dossiers"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert "Quý II năm 2021" in capsys.readouterr().out


def test_two_runs_are_byte_identical(data, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]) == 0
    for name in sorted(p.name for p in a.iterdir()):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_policy_option(data, tmp_path):
    out = tmp_path / "out"
    args = ["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]
    assert main([*args, "--policy", "population=resolved_or_overdue", "--policy", "rounding=half_even"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["policies"]["population"] == "resolved_or_overdue"
    assert manifest["policies"]["rounding"] == "half_even"
    assert main([*args, "--policy", "population=everything"]) == 2


@pytest.mark.parametrize("breakage", ["no_dossiers", "missing_column", "bad_quarter", "no_units", "both_formats"])
def test_ungradable_input_exits_non_zero_and_writes_nothing(data, tmp_path, capsys, breakage):
    quarter = "2021-Q2"
    folder = data / quarter
    if breakage == "no_dossiers":
        (folder / "dossiers.csv").unlink()
    elif breakage == "missing_column":
        frame = pd.read_csv(folder / "dossiers.csv").drop(columns=["due_at"])
        frame.to_csv(folder / "dossiers.csv", index=False)
    elif breakage == "bad_quarter":
        quarter = "2021-Q7"
    elif breakage == "no_units":
        (data / "units.csv").unlink()
    elif breakage == "both_formats":
        pd.read_csv(folder / "dossiers.csv").to_excel(folder / "dossiers.xlsx", index=False)
    out = tmp_path / "out"
    code = main(["grade", "--quarter", quarter, "--data", str(data), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no temporary leftovers
    assert "Lỗi" in err
    if breakage == "missing_column":
        assert "dossiers.csv" in err and "dòng 1" in err and "due_at" in err
    if breakage == "no_dossiers":
        assert "dossiers" in err


def test_failure_leaves_an_existing_output_folder_untouched(data, tmp_path):
    out = tmp_path / "out"
    assert main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (data / "2021-Q2" / "dossiers.csv").unlink()
    assert main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]) == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_officials_and_findings_columns_follow_the_contract(data, tmp_path):
    out = tmp_path / "out"
    assert main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]) == 0
    officials = pd.read_csv(out / "officials.csv", dtype=str)
    assert list(officials.columns) == ["official", "unit_id", "dossiers", "score", "completion"]
    detail = pd.read_csv(out / "official_indicators.csv", dtype=str)
    assert {"official", "unit_id", "i1", "i7"} <= set(detail.columns)
    findings = pd.read_csv(out / "findings.csv", dtype=str)
    assert list(findings.columns[:5]) == ["severity", "file", "row", "column", "message"]


def test_an_empty_optional_file_is_a_finding_and_extensions_ignore_case(data, tmp_path):
    folder = data / "2021-Q2"
    (folder / "overrides.csv").write_bytes(b"")
    (folder / "dossiers.csv").rename(folder / "dossiers.CSV")
    out = tmp_path / "out"
    assert main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]) == 0
    findings = pd.read_csv(out / "findings.csv", dtype=str)
    assert "empty_file" in set(findings["code"])
    assert pd.read_csv(out / "grades.csv", dtype=str).set_index("unit_id").at["H1", "dossiers"] == "1"


@pytest.mark.parametrize("command", ["grade", "run", "check"])
def test_a_policy_given_twice_with_two_values_is_refused(data, tmp_path, capsys, command):
    out = tmp_path / "out"
    args = [command, "--quarter", "2021-Q2", "--data", str(data),
            "--policy", "population=resolved_or_overdue", "--policy", "rounding=half_even",
            "--policy", "population = resolved_in_period"]
    code = main(args + (["--out", str(out)] if command != "check" else []))
    err = capsys.readouterr().err
    assert code == 2
    assert "'population'" in err and "'resolved_or_overdue'" in err and "'resolved_in_period'" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_a_policy_given_twice_with_the_same_value_is_taken_once(data, tmp_path):
    out = tmp_path / "out"
    args = ["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]
    assert main([*args, "--policy", "population=resolved_or_overdue", "population = resolved_or_overdue"]) == 0
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["policies"]["population"] == \
        "resolved_or_overdue"


def test_a_compare_policy_given_twice_with_two_values_is_refused(data, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out), "--compare-policy",
                 "rounding=half_even", "--compare-policy", "rounding=half_up"])
    assert code == 2 and "'rounding'" in capsys.readouterr().err
    assert not out.exists()


def test_the_command_line_starts_without_the_heavy_libraries():
    """Building the parser (``tthc --help``, a mistyped option) imports no pandas, pandera, audit or engine:
    each command imports what it needs when it runs (a quarter's grading waits for nothing else)."""
    import subprocess
    import sys

    code = ("import sys, tthc.cli as c; c.build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'pandera', 'openpyxl') "
            "or m.startswith(('tthc.audit', 'tthc.schemes', 'tthc.input.loading'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_command_line_process_skips_the_slow_iri_format_checker():
    """``tthc`` commands import nbformat (papermill, nbconvert) without jsonschema's rfc3987-syntax checker
    (its Lark grammars cost seconds per process), and notebooks still validate."""
    import subprocess
    import sys

    code = ("import sys, tthc.cli as c; c._skip_slow_iri_checker(); "
            "import nbformat; nb = nbformat.v4.new_notebook(); nbformat.validate(nb); "
            "print('lark' in sys.modules, 'rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
