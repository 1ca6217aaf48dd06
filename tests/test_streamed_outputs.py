"""Outputs written slice by slice (``tthc.run.file_writer``): the same bytes as in memory, for every column
type the CSV writer handles (categorical text: each category written once); a failure in the middle of a
file publishes nothing and leaves the old folder as it was; ``tthc verify`` compares a slice at a time."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from test_serialisation import pandas_csv, torture

from tthc import PROJECT_ROOT
from tthc.run import csv_writer, file_writer, outputs
from tthc.sanitize import FORMULA_START, risky_first, safe_text

SAMPLE = PROJECT_ROOT / "data" / "dien-bien-dong"


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def categorical_text(n: int = 500, seed: int = 3) -> pd.DataFrame:
    """Reason-like categorical columns: categories of Arrow strings (``str``, ``ArrowDtype``) and of objects,
    with commas, quotes, line breaks and formula starts in them; some rows missing."""
    rng = np.random.default_rng(seed)
    names = ["có kết quả 23/06/2021, hẹn trả 23/06/2021: đúng hạn", 'say "hi"', "=1+1", "\u00a0-x", "hai\ndòng",
             "Đăng ký", "+84 912", ""]
    codes = np.where(rng.random(n) < 0.1, -1, rng.integers(0, len(names), n))
    def column(order, dtype) -> pd.Series:
        return pd.Series(pd.Categorical.from_codes(order, dtype=pd.CategoricalDtype(pd.Index(names, dtype=dtype))))

    return pd.DataFrame({
        "str": column(codes, "str"),
        "arrow": column(codes[::-1], pd.ArrowDtype(pa.string())),
        "objects": column(rng.permutation(codes), object),
        "n": rng.integers(0, 3, n),
    })


def streamed(frame: pd.DataFrame, folder: Path) -> tuple[bytes, file_writer.Written]:
    written = file_writer.write_file(folder, "t.csv", lambda: outputs.csv_pieces(frame), digest=True)
    return (folder / "t.csv").read_bytes(), written


@pytest.mark.parametrize("chunk", [7, 1000, csv_writer.CHUNK])
@pytest.mark.parametrize("make", [torture, categorical_text])
def test_a_streamed_table_is_the_in_memory_table(monkeypatch, tmp_path, chunk, make):
    monkeypatch.setattr(csv_writer, "CHUNK", chunk)
    frame = make()
    data, written = streamed(frame, tmp_path)
    assert data == csv_writer.frame_csv(frame) == outputs.csv_bytes(frame) == pandas_csv(frame)
    assert written == file_writer.Written(len(data), hashlib.sha256(data).hexdigest())
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary file left


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"day": pd.to_datetime(["2021-04-01", None]), "n": [1, 2]}),
    pd.DataFrame({"only": ["a", ""]}),
    pd.DataFrame({"x": pd.array([1.5, None], dtype="Float64"), "y": ["=a", "b"]}),
    pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype="int64")}),
])
def test_tables_through_pandas_stream_too(tmp_path, frame):
    data, written = streamed(frame, tmp_path)
    assert data == outputs.csv_bytes(frame) == pandas_csv(frame) and written.size == len(data)


def test_each_category_is_written_once_for_the_whole_table(monkeypatch):
    monkeypatch.setattr(csv_writer, "CHUNK", 50)
    frame = categorical_text()
    seen = []
    real = csv_writer._category_fields
    monkeypatch.setattr(csv_writer, "_category_fields", lambda dtype: seen.append(dtype) or real(dtype))
    pieces = list(csv_writer.frame_slices(frame))
    assert len(pieces) == 1 + 10 and len(seen) == 3  # header and ten slices; three categorical columns
    written_rows = []
    real_field = csv_writer._field
    monkeypatch.setattr(csv_writer, "_field", lambda s: written_rows.append(len(s)) or real_field(s))
    list(csv_writer.frame_slices(frame))
    assert sum(written_rows) == 500 + 3 * 8  # the integers row by row; each category once (8 of them)


def test_formula_candidates_are_found_on_the_bytes():
    """Every text ``safe_text`` changes is a candidate, whatever its first character (every code point of
    the Basic Multilingual Plane, one beyond it, after an invisible one); letters and digits never are."""
    table = risky_first()
    points = [c for c in range(0x10000) if not 0xD800 <= c < 0xE000]
    texts = [chr(c) + "=x" for c in points] + ["\U0001F600=1", "\u200b=1", "=1", "", "x", "Đ=", "1"]
    values = pa.array([*texts, None], pa.large_string())
    hit = csv_writer._candidates(values.slice(0))
    changed = np.array([safe_text(t) != t for t in texts] + [False])
    assert not (changed & ~hit).any()
    assert list(hit[:len(points)]) == [bool(table[c]) for c in points]
    assert not hit[-1] and not hit[-4] and hit[-7]  # missing; "x"; the astral character
    assert {chr(c) for c in np.flatnonzero(table[:128])} >= set(FORMULA_START) | {" ", "\x00"}
    assert not table[ord("Đ")] and not table[ord("a")] and not table[ord("7")]
    sliced = pa.array(["a", "=b", "c", "@d"], pa.large_string()).slice(1, 2)  # an offset into the buffers
    assert csv_writer._candidates(sliced).tolist() == [True, False]


def test_a_failure_inside_a_file_removes_its_temporary_file(tmp_path):
    def pieces():
        yield b"header\n"
        raise RuntimeError("slice")

    with pytest.raises(RuntimeError, match="slice"):
        file_writer.write_file(tmp_path, "t.csv", pieces)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def sample():
    from tthc.schemes.tt01.engine import grade_quarter

    return grade_quarter(SAMPLE, "2021-Q2")


def test_the_folder_written_piece_by_piece_is_the_rendered_folder(sample, tmp_path):
    written = outputs.write_parts(sample, tmp_path, digest=True)
    rendered = outputs.render(sample)
    assert list(written) == list(rendered) == list(outputs.OUTPUT_FILES)
    assert folder_bytes(tmp_path) == rendered
    assert written == {name: file_writer.Written(len(data), hashlib.sha256(data).hexdigest())
                       for name, data in rendered.items()}


def test_a_failure_in_the_middle_of_a_table_publishes_nothing(sample, tmp_path, monkeypatch):
    out = tmp_path / "2021-Q2"
    outputs.write_outputs(sample, out)
    before = folder_bytes(out)
    monkeypatch.setattr(csv_writer, "CHUNK", 10)
    width, partial = sample.dossier_scores.shape[1], tmp_path / ".2021-Q2.staging" / ".dossier_scores.csv.tmp"
    calls = []
    real = csv_writer._lines

    def failing(fields):
        calls.append(len(fields))
        if calls.count(width) == 3:  # dossier_scores.csv's third slice: its header and two slices written
            assert partial.stat().st_size > 0
            raise MemoryError
        return real(fields)

    monkeypatch.setattr(csv_writer, "_lines", failing)
    with pytest.raises(MemoryError):
        outputs.write_outputs(sample, out, notify=print)
    assert calls.count(width) == 3 and not partial.exists()
    assert folder_bytes(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["2021-Q2"]


def test_a_file_is_compared_with_its_pieces_a_slice_at_a_time(tmp_path):
    pieces = lambda: (b"header\n", memoryview(b"a,1\nb,2\n"), pa.py_buffer(b"c,3\n"))  # noqa: E731
    path = tmp_path / "t.csv"
    for data, same in [(b"header\na,1\nb,2\nc,3\n", True), (b"header\na,1\nb,2\nc,4\n", False),
                       (b"header\na,1\nb,2\n", False), (b"header\na,1\nb,2\nc,3\nd,4\n", False), (b"", False)]:
        path.write_bytes(data)
        assert file_writer.same_as_file(pieces, path) is same, data


def test_verify_finds_a_changed_slice_of_a_streamed_table(sample, tmp_path, monkeypatch):
    from tthc.run.verify import verify

    out = tmp_path / "2021-Q2"
    outputs.write_outputs(sample, out)
    assert verify(out).identical
    path = out / "dossier_scores.csv"
    lines = path.read_bytes().split(b"\n")
    lines[-2] = lines[-2].replace(b",", b";", 1)  # the last row, in the last slice
    path.write_bytes(b"\n".join(lines))
    monkeypatch.setattr(csv_writer, "CHUNK", 100)
    differences = verify(out).differences
    assert [(d.kind, d.name) for d in differences] == [("table", "dossier_scores.csv")]
    assert differences[0].message.startswith("1 dòng khác")
