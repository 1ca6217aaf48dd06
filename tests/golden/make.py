"""Write what tests/test_golden.py compares with the committed tests/golden/expected/ folder.

The sample's 2021-Q2 graded with the default policies: every CSV table ``tthc grade`` writes, the row
accounting and counts of its manifest (the rest of the manifest names the tool version, paths and the rule
file's checksum, which change for reasons of their own), and the audit's explanations of a few subjects that
between them take every path of the tree (no dossier, no self-assessment, an override of a unit and of a
dossier, steps of another unit, a dossier outside the period, an official). Explanations are compared
without their header block (quarter, rule set and its checksum, policies).

    python tests/golden/make.py            # rewrite tests/golden/expected/ (then read the git diff!)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).resolve().parent / "expected"
DATA = ROOT / "data" / "dien-bien-dong"
QUARTER = "2021-Q2"
UNITS = ("H07", "X10", "X13")
OFFICIALS = (("H05", "Lò Văn Pâng"),)
DOSSIERS = ("X07-210415-0075", "H05-210428-0210", "H05-210119-0071")


def _body(text: str) -> str:
    """An explanation's text without its header block (everything before the first blank line)."""
    return text.split("\n\n", 1)[1]


def produce(out: Path) -> None:
    """Grade the sample's quarter and write the compared files under ``out``."""
    from tthc.audit.explain import explain_dossier, explain_official, explain_unit, render_text
    from tthc.run.outputs import manifest, render
    from tthc.schemes.tt01.engine import grade_quarter

    result = grade_quarter(DATA, QUARTER)
    tables = out / f"sample-{QUARTER}"
    tables.mkdir(parents=True, exist_ok=True)
    for name, data in render(result).items():
        if name.endswith(".csv"):
            (tables / name).write_bytes(data)
    stable = {k: v for k, v in manifest(result).items() if k in ("row_accounting", "counts")}
    (tables / "manifest-accounting.json").write_text(json.dumps(stable, ensure_ascii=False, indent=2) + "\n",
                                                     encoding="utf-8")
    explain = out / "explain"
    explain.mkdir(parents=True, exist_ok=True)
    subjects = [(f"unit-{u}", explain_unit(result, u)) for u in UNITS]
    subjects += [(f"official-{u}", explain_official(result, name, u)) for u, name in OFFICIALS]
    subjects += [(f"dossier-{d}", explain_dossier(result, d)) for d in DOSSIERS]
    for key, explanation in subjects:
        (explain / f"{key}.txt").write_text(_body(render_text(explanation)), encoding="utf-8")
        if key.startswith("dossier-"):  # the others' JSON is large; their text carries the same tree
            payload = {k: v for k, v in explanation.to_dict().items() if k != "header"}
            (explain / f"{key}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    import shutil

    shutil.rmtree(EXPECTED, ignore_errors=True)
    produce(EXPECTED)
    print(f"written: {EXPECTED.relative_to(ROOT)} (review with git diff before committing)")
