"""Small quarter folders built in tests, laid out as docs/du-lieu-dau-vao.md says."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import pandas as pd

UNITS = [
    {"unit_id": "H1", "unit_name": "Phòng Tư pháp", "level": "huyen"},
    {"unit_id": "X1", "unit_name": "UBND xã Na Son", "level": "xa"},
]
FULL_SELF = {f"i{n}": 2 for n in range(1, 10)}
GOOD_EVIDENCE = {"desk_full_share": 1, "desk_share": 1, "posted": "x", "electronic": "x", "dvc34_share": 0.5}


def dossier(did: str, unit: str = "H1", received: str = "2021-04-01", due: str = "2021-04-10",
            finished: str | None = "2021-04-09", channel: str = "truc_tuyen", contacts: int = 0,
            applicant: int = 0, official: str = "Nguyễn Văn An", **extra) -> dict:
    row = {"dossier_id": did, "unit_id": unit, "received_at": received, "due_at": due,
           "finished_at": finished or "", "channel": channel, "contacts": contacts,
           "contacts_applicant": applicant, "official": official}
    row.update(extra)
    return row


def write_quarter(root: Path, dossiers: list[dict], quarter: str = "2021-Q2", units: list[dict] | None = None,
                  self_assessment: list[dict] | None = None, evidence: list[dict] | None = None,
                  complaints: list[dict] | None = None, **tables: list[dict] | None) -> Path:
    """Write units.csv and the quarter's files. ``None`` leaves a file out; defaults give every unit a full
    self-assessment and complete evidence, so a test changes only what it is about."""
    root.mkdir(parents=True, exist_ok=True)
    units = UNITS if units is None else units
    pd.DataFrame(units).to_csv(root / "units.csv", index=False)
    folder = root / quarter
    folder.mkdir(exist_ok=True)
    pd.DataFrame(dossiers).to_csv(folder / "dossiers.csv", index=False)
    if self_assessment is None:
        self_assessment = [{"unit_id": u["unit_id"], **FULL_SELF} for u in units]
    if evidence is None:
        evidence = [{"unit_id": u["unit_id"], **GOOD_EVIDENCE} for u in units]
    if complaints is None:
        complaints = []
    frames = {"self_assessment": self_assessment, "unit_evidence": evidence, "complaints": complaints, **tables}
    columns = {"complaints": ["complaint_id", "unit_id", "dossier_id", "received_at", "due_at", "answered_at",
                              "prolonged", "about_conduct", "verified_untrue"]}
    for name, rows in frames.items():
        if rows is False:  # explicitly absent file
            continue
        if rows is not None:
            pd.DataFrame(rows, columns=columns.get(name)).to_csv(folder / f"{name}.csv", index=False)
    return root


@cache
def corpus_builder():
    """``tests/corpus/build.py`` (a script, not a package) as a module: the bad-input corpus's builders."""
    spec = importlib.util.spec_from_file_location("corpus_build", Path(__file__).parent / "corpus" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
