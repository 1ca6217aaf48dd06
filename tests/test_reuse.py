"""A stage reuses what an earlier stage of the same kernel computed, only when the input is the same.

``pipeline.load``/``check``/``grade`` (the notebooks' calls) give what ``load_quarter``, ``check_quarter`` and
``grade_quarter`` give, whether they reuse or compute; a changed file, other rules or other policies, or a
fresh kernel (nothing kept) make them compute.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tthc.input import loading
from tthc.input.findings import InputError
from tthc.notebooks import reuse
from tthc.run import pipeline
from tthc.run.check import check_quarter
from tthc.run.outputs import render
from tthc.schemes.tt01 import engine

FIXTURE = Path(__file__).parent / "fixtures" / "workbench-small"
LOAD_QUARTER = loading.load_quarter  # the real one, for the expected values (not counted)


@pytest.fixture(autouse=True)
def _nothing_kept():
    reuse.forget()
    yield
    reuse.forget()


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    return folder


@pytest.fixture
def counted(monkeypatch):
    """How many times the files were read and the quarter graded."""
    calls = {"load": 0, "grade": 0}
    real_load, real_grade = loading.load_quarter, engine.grade_inputs

    def load_quarter(*args, **kwargs):
        calls["load"] += 1
        return real_load(*args, **kwargs)

    def grade_inputs(*args, **kwargs):
        calls["grade"] += 1
        return real_grade(*args, **kwargs)

    monkeypatch.setattr(loading, "load_quarter", load_quarter)
    monkeypatch.setattr(engine, "grade_inputs", grade_inputs)
    return calls


def run_for(data, tmp_path, **policies):
    return pipeline.prepare("2021-Q2", "dien-bien-dong", data, tmp_path / "out", policies)


def same_inputs(a, b) -> None:
    assert a.files == b.files and a.columns == b.columns and a.headers == b.headers
    assert a.findings.items == b.findings.items
    pd.testing.assert_frame_equal(a.units, b.units)
    assert a.tables.keys() == b.tables.keys()
    for name, frame in a.tables.items():
        if frame is None:
            assert b.tables[name] is None
        else:
            pd.testing.assert_frame_equal(frame, b.tables[name])
    assert {k: (v.read, v.used, dict(v.excluded)) for k, v in a.accounting.items()} == {
        k: (v.read, v.used, dict(v.excluded)) for k, v in b.accounting.items()
    }


def test_a_second_load_reuses_the_first_and_equals_a_fresh_one(data, tmp_path, counted):
    run = run_for(data, tmp_path)
    first = pipeline.load(run, strict=False)
    second = pipeline.load(run)
    assert counted["load"] == 1
    assert second is not first
    same_inputs(second, LOAD_QUARTER(run.data_dir, run.quarter, run.rules))
    second.tables["dossiers"] = second.tables["dossiers"].iloc[0:0]  # the caller's own copy
    second.units.loc[:, "unit_name"] = "đổi"
    second.findings.info("x", "thêm")
    third = pipeline.load(run)
    assert counted["load"] == 1
    same_inputs(third, first)


def test_a_changed_file_is_read_again(data, tmp_path, counted):
    run = run_for(data, tmp_path)
    before = pipeline.load(run)
    surveys = data / "2021-Q2" / "surveys.csv"
    lines = surveys.read_text(encoding="utf-8").splitlines(keepends=True)
    surveys.write_text("".join(lines[:-1]), encoding="utf-8")  # one form fewer, same folder
    after = pipeline.load(run)
    assert counted["load"] == 2
    assert len(after.tables["surveys"]) == len(before.tables["surveys"]) - 1
    same_inputs(after, LOAD_QUARTER(run.data_dir, run.quarter, run.rules))


def test_a_new_or_removed_file_is_read_again(data, tmp_path, counted):
    run = run_for(data, tmp_path)
    pipeline.load(run)
    (data / "2021-Q2" / "complaints.csv").unlink()
    without = pipeline.load(run)
    assert counted["load"] == 2 and without.tables["complaints"] is None


def test_nothing_kept_means_computed(data, tmp_path, counted):
    run = run_for(data, tmp_path)
    pipeline.load(run)
    reuse.forget()  # a notebook run alone: another kernel, nothing kept
    pipeline.load(run)
    assert counted["load"] == 2


def test_input_with_errors_is_not_kept_and_strict_raises(data, tmp_path, counted):
    (data / "2021-Q2" / "dossiers.csv").unlink()
    run = run_for(data, tmp_path)
    inputs = pipeline.load(run, strict=False)
    assert inputs.findings.errors
    with pytest.raises(InputError):
        pipeline.load(run)
    assert counted["load"] == 2


def test_check_then_grade_grades_once_and_writes_the_same_bytes(data, tmp_path, counted):
    run = run_for(data, tmp_path)
    pipeline.load(run, strict=False)  # the load stage
    inputs, used = pipeline.check(run)  # the check stage
    result = pipeline.grade(run)  # the grading stage
    assert counted == {"load": 1, "grade": 1}
    expected_inputs, expected_used = check_quarter(run.data_dir, run.quarter, run.rules, run.resolved_policies)
    assert used == expected_used
    pd.testing.assert_frame_equal(inputs.findings.frame(), expected_inputs.findings.frame())
    fresh = engine.grade_quarter(run.data_dir, run.quarter, run.rules, run.policies, base_policies=run.base_policies)
    assert render(result) == render(fresh)


def test_a_grading_is_handed_out_once(data, tmp_path, counted):
    run = run_for(data, tmp_path)
    pipeline.check(run)
    first = pipeline.grade(run)
    second = pipeline.grade(run)  # the grading notebook run again in the same kernel: graded again
    assert counted == {"load": 1, "grade": 2}
    assert render(first) == render(second)


def test_other_policies_grade_again(data, tmp_path, counted):
    pipeline.check(run_for(data, tmp_path))
    other = run_for(data, tmp_path, population="resolved_or_overdue")
    result = pipeline.grade(other)
    assert counted == {"load": 1, "grade": 2}  # the load is reused, the grading is not
    assert result.policies["population"] == "resolved_or_overdue"
    fresh = engine.grade_quarter(other.data_dir, other.quarter, other.rules, other.policies,
                                 base_policies=other.base_policies)
    assert render(result) == render(fresh)


def test_a_file_changed_after_the_check_is_graded_from_the_new_file(data, tmp_path, counted):
    run = run_for(data, tmp_path)
    pipeline.check(run)
    surveys = data / "2021-Q2" / "surveys.csv"
    lines = surveys.read_text(encoding="utf-8").splitlines(keepends=True)
    surveys.write_text("".join(lines[:-1]), encoding="utf-8")
    result = pipeline.grade(run)
    assert counted == {"load": 2, "grade": 2}
    fresh = engine.grade_quarter(run.data_dir, run.quarter, run.rules, run.policies, base_policies=run.base_policies)
    assert render(result) == render(fresh)


def test_the_fingerprint_covers_units_and_the_quarter_folder(data):
    base = reuse.input_fingerprint(data, "2021-Q2")
    assert reuse.input_fingerprint(data, "2021-Q2") == base
    (data / "2021-Q2" / "notes.txt").write_text("x", encoding="utf-8")
    with_note = reuse.input_fingerprint(data, "2021-Q2")
    assert with_note != base
    units = data / "units.csv"
    units.write_bytes(units.read_bytes() + b"\n")
    assert reuse.input_fingerprint(data, "2021-Q2") != with_note
    assert reuse.input_fingerprint(data, "2021-Q1") != reuse.input_fingerprint(data / "none", "2021-Q1")


def test_the_commands_pre_load_is_handed_over_to_the_load_stage(data, tmp_path, counted, monkeypatch):
    run = run_for(data, tmp_path)
    hand_over = tmp_path / "kernel" / "loaded.pickle"
    hand_over.parent.mkdir()
    pipeline.check_inputs(run, hand_over=hand_over)  # the command, before any notebook
    assert counted["load"] == 1 and hand_over.is_file()
    reuse.forget()  # the kernel is another process: nothing kept there
    monkeypatch.setenv(reuse.HAND_OVER_ENV, str(hand_over))
    inputs = pipeline.load(run, strict=False)  # the load stage, in the kernel
    assert counted["load"] == 1 and not hand_over.exists()  # taken, once
    same_inputs(inputs, LOAD_QUARTER(run.data_dir, run.quarter, run.rules))
    pipeline.load(run)  # the next stage: kept in the kernel now
    assert counted["load"] == 1


def test_a_hand_over_for_other_files_is_not_used(data, tmp_path, counted, monkeypatch):
    run = run_for(data, tmp_path)
    hand_over = tmp_path / "loaded.pickle"
    pipeline.check_inputs(run, hand_over=hand_over)
    surveys = data / "2021-Q2" / "surveys.csv"
    surveys.write_text(surveys.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # changed since
    reuse.forget()
    monkeypatch.setenv(reuse.HAND_OVER_ENV, str(hand_over))
    inputs = pipeline.load(run)
    assert counted["load"] == 2
    same_inputs(inputs, LOAD_QUARTER(run.data_dir, run.quarter, run.rules))


def test_what_a_stage_changes_in_its_objects_never_reaches_the_next_stage(data, tmp_path, counted):
    run = run_for(data, tmp_path)
    loaded = pipeline.load(run)
    loaded.tables["dossiers"].loc[:, "unit_id"] = "đổi"  # in place: the kept load is not this table
    loaded.findings.info("x", "thêm")
    inputs, _ = pipeline.check(run)  # graded from the kept load, not from the changed copy
    inputs.tables["dossiers"].loc[:, "finished_at"] = pd.NaT
    inputs.findings.info("y", "thêm")
    inputs.accounting[inputs.files["dossiers"].label].excluded["đổi"] += 1
    result = pipeline.grade(run)  # the check stage's grading
    assert counted == {"load": 1, "grade": 1}
    fresh = engine.grade_quarter(run.data_dir, run.quarter, run.rules, run.policies, base_policies=run.base_policies)
    assert render(result) == render(fresh)
    same_inputs(pipeline.load(run), LOAD_QUARTER(run.data_dir, run.quarter, run.rules))
