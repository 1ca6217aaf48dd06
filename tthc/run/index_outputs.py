"""The output folder of a quarter graded on the NĐ 118/2025 service index: the scheme's tables (grades,
components, officials, dossier_scores, citizens, findings), ``grades.xlsx`` and ``findings.xlsx`` (as for TT 01:
``grades_book``, ``findings_book``) and ``manifest.json`` (what went in: the rule file,
every policy value, every input file's size and SHA-256, the row accounting)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from tthc import PROJECT_ROOT, __version__
from tthc.input.contract import CONTRACT_VERSION
from tthc.run import file_writer
from tthc.run.csv_writer import frame_slices
from tthc.run.findings_book import findings_xlsx
from tthc.run.grades_book import index_grades_xlsx

#: The tables of an index quarter, contract tables first.
TABLES = ("grades.csv", "officials.csv", "dossier_scores.csv", "findings.csv", "components.csv", "citizens.csv")
#: Every file :func:`render` produces.
OUTPUT_FILES = (*TABLES, "manifest.json")


def _relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(Path(path).resolve())


def _file(path: Path) -> tuple[int, str]:
    data = Path(path).read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def manifest(result) -> dict:
    from tthc.schemes.nd118.tables import manifest_fields

    fields = manifest_fields(result)
    rules = result.rules
    data_dir = Path(result.data_dir)
    inputs = []
    digests = getattr(result, "digests", {})
    for name, path in sorted(result.files.items(), key=lambda kv: str(kv[1])):
        size, sha = digests[name] if name in digests else _file(path)  # the loader's, hashed as it read them
        inputs.append({"table": name, "file": str(Path(path).resolve().relative_to(data_dir.resolve()))
                       if data_dir.resolve() in Path(path).resolve().parents else str(path),
                       "size": size, "sha256": sha})
    return {
        "tool": {"name": "tthc", "version": __version__, "contract_version": CONTRACT_VERSION},
        "quarter": str(result.quarter),
        "scheme": fields["scheme"],
        "period": fields["period"],
        "rule_set": {**fields["rule_set"], "file": _relative(rules.path), "file_absolute": str(Path(rules.path)
                                                                                              .resolve())},
        "policies": fields["policies"],
        "bands": fields["bands"],
        "province_unit_id": fields["province_unit_id"],
        "province_name": result.province.unit_name,
        "data_dir": _relative(data_dir),
        "data_dir_absolute": str(data_dir.resolve()),
        "inputs": inputs,
        "row_accounting": fields["row_accounting"],
        "counts": fields["counts"],
    }


def _read(data: bytes) -> pd.DataFrame:
    """A table as written (the workbook shows what the CSV says, text as text)."""
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def parts(result) -> dict[str, file_writer.Pieces]:
    """Every output file as its pieces (``file_writer``): each table built, and written slice by slice, when its
    file is written; the scheme's tables in their order, then the workbooks and the manifest."""
    from tthc.schemes.nd118.tables import FRAMES

    files: dict[str, file_writer.Pieces] = {name: _table(result, build) for name, build in FRAMES.items()}
    grades, officials = FRAMES["grades.csv"], FRAMES["officials.csv"]
    files["grades.xlsx"] = lambda: (index_grades_xlsx(result, _read(_csv(grades(result))),
                                                      _read(_csv(officials(result)))),)
    files["findings.xlsx"] = lambda: (findings_xlsx(result),)
    files["manifest.json"] = file_writer.whole(
        (json.dumps(manifest(result), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return files


def render(result) -> dict[str, bytes]:
    """Every output file's bytes (``parts``, each collected in memory)."""
    return {name: file_writer.collect(pieces) for name, pieces in parts(result).items()}


def _table(result, build) -> file_writer.Pieces:
    """A table's pieces, its frame built when the file is written."""
    return lambda: _csv_pieces(build(result))


def _csv_pieces(frame: pd.DataFrame):
    """The run's column-wise writer (pandas' ``to_csv`` bytes, a slice at a time), else the scheme's own."""
    from tthc.schemes.nd118.tables import csv_bytes

    slices = frame_slices(frame)
    return (csv_bytes(frame),) if slices is None else slices


def _csv(frame: pd.DataFrame) -> bytes:
    return file_writer.collect(lambda: _csv_pieces(frame))
