"""What ``tthc check`` computes: every finding of a quarter's files, and the row accounting (read = used +
excluded, each exclusion with its reason), checked against the rows the grading really used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tthc.input.loading import Inputs


def check_quarter(data_dir, quarter, rules, policies: dict[str, str]) -> tuple[Inputs, dict[str, int] | None]:
    """Load and check every file; without errors, also select the population and grade (for their findings
    and the self-score gaps). Returns the inputs (findings and accounting included) and the rows each file
    really contributed (``None`` when grading was impossible)."""
    from tthc.input.loading import load_quarter
    from tthc.schemes.tt01.engine import grade_inputs

    if getattr(rules, "scheme", "tt01") == "nd118":
        return _check_index(data_dir, quarter, rules, policies)
    inputs = load_quarter(data_dir, quarter, rules, strict=False)
    if inputs.findings.errors:
        return inputs, None
    result = grade_inputs(inputs, rules, policies)
    return result.inputs, checked_rows(result)  # the loaded quarter with the grading's findings and accounting


def checked_rows(result) -> dict[str, int]:
    """The check's part after grading (the grading's findings include the self-score gaps): the rows each
    file really contributed (:func:`used_rows`). Reads the result, changes nothing."""
    return used_rows(result)


def used_rows(result) -> dict[str, int]:
    """Rows each file really contributed, counted from the tables the grading used (not from the
    accounting itself), to verify ``read = used + excluded``."""
    inputs = result.inputs
    out = {}
    for name, info in inputs.files.items():
        if name == "units":
            out[info.label] = len(inputs.units)
        elif name == "dossiers":
            out[info.label] = len(result.scored)
        elif name == "surveys" and result.satisfaction is not None:
            out[info.label] = int(result.satisfaction["forms"].sum()) if len(result.satisfaction) else 0
        elif name == "overrides":
            out[info.label] = sum(f.code == "override" and f.file == info.label for f in result.findings.items)
        elif inputs.table(name) is not None:
            out[info.label] = len(inputs.table(name))
    return out


def accounting_lines(inputs: Inputs, used: dict[str, int] | None = None) -> list[str]:
    """The row accounting per file, in Vietnamese; a mismatch with ``used`` is shown."""
    lines = []
    for label, acc in sorted(inputs.accounting.items()):
        excluded = sum(acc.excluded.values())
        lines.append(f"  {label}: đọc {acc.read} = dùng {acc.used} + loại {excluded}")
        for reason, n in sorted(acc.excluded.items()):
            lines.append(f"      loại {n}: {reason}")
        for sheet, part in acc.sheets.items():
            causes = "; ".join(f"{reason}: {n}" for reason, n in sorted(part.excluded.items()))
            lines.append(f"      {sheet}: đọc {part.read}, loại khi đọc và kiểm tra {sum(part.excluded.values())}"
                         + (f" ({causes})" if causes else ""))
        if used is not None and label in used and used[label] != acc.used:
            lines.append(f"      KHÔNG KHỚP: thực dùng {used[label]} dòng, đối chiếu ghi {acc.used}.")
    return lines


@dataclass
class Checked:
    """What ``tthc check`` shows of a quarter graded on the index: its findings and the row accounting."""

    findings: object
    accounting: dict


def _check_index(data_dir, quarter, rules, policies: dict[str, str], province_unit_id: str | None = None):
    """The index quarter's files loaded and checked; without errors, graded too (for the grading's findings and
    the rows each file really contributed). The accounting counts rows read, used and excluded per file."""
    from collections import Counter

    from tthc.input.loading import Accounting
    from tthc.schemes.nd118 import grade_index
    from tthc.schemes.nd118.grading import DEFAULT_PROVINCE_ID
    from tthc.schemes.nd118.quarter import load_index_quarter

    loaded = load_index_quarter(data_dir, quarter, rules, strict=False)

    def accounting(table: dict) -> dict:
        return {label: Accounting(read=d["rows"], excluded=Counter(d["excluded"])) for label, d in table.items()}

    if loaded.findings.errors:
        return Checked(loaded.findings, accounting(loaded.accounting)), None
    result = grade_index(loaded.tables, loaded.units, quarter, rules, policies,
                         province_unit_id=province_unit_id or DEFAULT_PROVINCE_ID, findings=loaded.findings)
    merged = dict(loaded.accounting)
    for label, graded in result.accounting.items():
        read = merged.get(label)
        if read is None:
            merged[label] = graded
        else:
            excluded = Counter(read["excluded"]) + Counter(graded["excluded"])
            merged[label] = {"rows": read["rows"], "excluded": dict(excluded)}
    return Checked(result.findings, accounting(merged)), None
