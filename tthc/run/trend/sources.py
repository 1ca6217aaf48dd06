"""The graded quarters of a profile between two quarters, each read from its output folder or graded now.

A quarter is *graded* when its output folder (``outputs/<profile>/<quarter>/``, or ``<quarters_dir>/<quarter>``)
holds ``grades.csv`` and ``manifest.json``. A quarter without one but with a data folder
(``data/<profile>/<quarter>/``) is graded now, in memory, exactly as ``tthc grade`` would (the profile's
policies, the rule set in force on the quarter's last day), and nothing is written for it; a quarter with
neither is listed as not graded. An output folder whose inputs or rule file changed since it was graded is
used as it is, with a note saying so (``tthc grade`` again to refresh it).

``grades.csv`` is read generically, whatever the scheme: ``unit_id``, ``unit_name``, ``level``, ``total``,
``result``, optional ``dossiers`` and ``rank``, and the score columns (``i1`` … under TT 01/2018, ``g1`` …
under the index, or those ``manifest.json`` lists under ``score_columns``).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from tthc import PROJECT_ROOT
from tthc.parameters.ruleset import RuleSetError, load_ruleset
from tthc.parameters.validation import file_label
from tthc.quarter import Quarter
from tthc.run.resolve import Run, output_dir, resolve_run
from tthc.run.trend.numbers import TrendInputError, places_of

OUTPUTS = "outputs"        # read from the quarter's output folder
GRADED_NOW = "graded_now"  # graded in memory from the data folder
REQUIRED = ("unit_id", "unit_name", "level", "total", "result")
_SCORE = re.compile(r"^[ig]\d+$")
#: The longest range a trend covers (ten years): a typo in a year should not grade forty quarters.
MAX_QUARTERS = 40


@dataclass(frozen=True)
class QuarterGrades:
    """One graded quarter: ``grades.csv`` as text (columns as written), its manifest and rule set."""

    quarter: Quarter
    grades: pd.DataFrame
    manifest: dict
    rules: Any
    source: str
    where: str
    notes: tuple[str, ...] = ()
    sha256: str = ""  # of the grades.csv bytes used

    @property
    def policies(self) -> dict[str, str]:
        return dict(self.manifest.get("policies") or {})

    @property
    def bands(self) -> tuple:
        """The scheme's grade bands for this quarter, best first (each with ``min`` and ``label``)."""
        bands = getattr(self.rules, "bands", None)
        if callable(bands):  # the index: bands chosen by a policy
            return tuple(bands(self.policies))
        return tuple(self.rules.unit_grading.bands)

    @property
    def band_labels(self) -> list[str]:
        return [b.label for b in self.bands]

    @property
    def statuses(self) -> list[str]:
        return list(getattr(self.rules, "statuses", {}).values())

    @property
    def levels(self) -> dict[str, str]:
        """Level code → name, in the rule set's order."""
        return {code: getattr(level, "name", code) for code, level in getattr(self.rules, "levels", {}).items()}

    @property
    def score_columns(self) -> list[str]:
        listed = self.manifest.get("score_columns")
        if isinstance(listed, list):
            return [c for c in listed if c in self.grades.columns]
        return [c for c in self.grades.columns if _SCORE.match(c)]

    @property
    def places(self) -> int:
        """Decimals the totals are written with (TT 01/2018: 1; the index: 2)."""
        return places_of(self.grades["total"])

    @property
    def scale_max(self) -> Decimal:
        """The most points a unit can get: the index's groups' maxima (100), else the rule set's maximum (18)."""
        groups = getattr(self.rules, "groups", None)
        if groups:
            return sum((Decimal(g.max) for g in groups), Decimal(0))
        return Decimal(self.rules.unit_grading.max_total)

    @property
    def score_maxima(self) -> dict[str, Decimal]:
        """The most points of each score column (an indicator's or a group's) and of ``total``."""
        maxima: dict[str, Decimal] = {"total": self.scale_max}
        for group in getattr(self.rules, "groups", None) or ():
            maxima[group.column] = Decimal(group.max)
        if not getattr(self.rules, "groups", None):
            maxima.update({ind.code: Decimal(ind.max_points) for ind in self.rules.indicators})
        return maxima

    def band_for(self, total) -> Any:
        for band in self.bands:
            if total >= band.min:
                return band
        return self.bands[-1]


@dataclass(frozen=True)
class Missing:
    quarter: Quarter
    reason: str


@dataclass
class Collected:
    name: str
    data_dir: Path
    settings: dict = field(default_factory=dict)  # the profile's own settings (``annual_method``)
    quarters: list[QuarterGrades] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)

    @property
    def graded_now(self) -> list[Quarter]:
        return [q.quarter for q in self.quarters if q.source == GRADED_NOW]


def quarter_range(start: str | Quarter, end: str | Quarter) -> list[Quarter]:
    """Every quarter from ``start`` to ``end``, both included."""
    first = start if isinstance(start, Quarter) else Quarter.parse(str(start))
    last = end if isinstance(end, Quarter) else Quarter.parse(str(end))
    if last < first:
        raise TrendInputError(f"Quý bắt đầu {first} sau quý kết thúc {last}.")
    quarters, q = [], first
    while q <= last:
        quarters.append(q)
        q = Quarter(q.year + (q.number == 4), q.number % 4 + 1)
    if len(quarters) > MAX_QUARTERS:
        raise TrendInputError(f"Khoảng từ {first} đến {last} có {len(quarters)} quý; tối đa {MAX_QUARTERS} quý.")
    return quarters


def collect(profile: str | None, start: str | Quarter, end: str | Quarter, data_dir: str | Path | None = None,
            quarters_dir: str | Path | None = None, grade_missing: bool = True) -> Collected:
    """The quarters of the range: read, graded now, or missing (see the module's docstring)."""
    quarters = quarter_range(start, end)
    anchor = resolve_run(quarters[-1], profile, data_dir)  # checks the profile and the data folder once
    found = Collected(anchor.name, anchor.data_dir, dict(anchor.profile.settings) if anchor.profile else {})
    for q in quarters:
        folder = Path(quarters_dir) / str(q) if quarters_dir else output_dir(anchor.name, q)
        if (folder / "grades.csv").is_file() and (folder / "manifest.json").is_file():
            found.quarters.append(read_folder(folder, q, anchor))
        elif (anchor.data_dir / str(q)).is_dir() and grade_missing:
            found.quarters.append(grade_now(resolve_run(q, profile, data_dir)))
        else:
            found.missing.append(Missing(q, f"không có kết quả ({file_label(folder)}) và không có dữ liệu "
                                            f"({file_label(anchor.data_dir / str(q))})"))
    return found


def read_grades(data: bytes, label: str) -> tuple[pd.DataFrame, str]:
    """``grades.csv`` as text, its required columns and unit ids checked; and the bytes' SHA-256."""
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise TrendInputError(f"Không đọc được {label}: {exc}") from None
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise TrendInputError(f"{label} thiếu cột: {', '.join(missing)} (cần {', '.join(REQUIRED)}).")
    blank = frame.index[frame["unit_id"].str.strip() == ""]
    if len(blank):
        raise TrendInputError(f"{label} dòng {int(blank[0]) + 2}, cột unit_id: thiếu mã đơn vị.")
    dup = frame.index[frame["unit_id"].duplicated()]
    if len(dup):
        row = int(dup[0])
        raise TrendInputError(f"{label} dòng {row + 2}, cột unit_id: mã đơn vị '{frame.at[row, 'unit_id']}' bị trùng.")
    return frame, hashlib.sha256(data).hexdigest()


def read_folder(folder: Path, quarter: Quarter, anchor: Run) -> QuarterGrades:
    label = file_label(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        info = manifest["rule_set"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TrendInputError(f"Không đọc được {label}/manifest.json ({exc}).") from None
    if str(manifest.get("quarter")) != str(quarter):
        raise TrendInputError(f"{label}/manifest.json ghi quý '{manifest.get('quarter')}', không phải {quarter}: "
                              "thư mục kết quả không đúng quý.")
    rules = _rules_of(info, label)
    grades, sha = read_grades((folder / "grades.csv").read_bytes(), f"{label}/grades.csv")
    notes = _staleness(manifest, rules, anchor.data_dir)
    return QuarterGrades(quarter, grades, manifest, rules, OUTPUTS, label, tuple(notes), sha)


def _rules_of(info: Any, label: str) -> Any:
    """The quarter's rule set: by its id in ``parameters/rules``, else from the file the manifest names."""
    info = info if isinstance(info, dict) else {}
    for ref in (info.get("id"), _file_ref(info.get("file"))):
        if not ref:
            continue
        try:
            return load_ruleset(ref)
        except RuleSetError:
            continue
    raise TrendInputError(f"{label}/manifest.json: bộ quy tắc '{info.get('id')}' không còn trong parameters/rules "
                          f"(tệp {info.get('file')}); không biết mức xếp loại của quý này.")


def _file_ref(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    path = Path(value)
    return str(path if path.is_absolute() else PROJECT_ROOT / path)


def _staleness(manifest: dict, rules: Any, data_dir: Path) -> list[str]:
    """Notes for an output folder graded from other inputs or another rule file than those there now."""
    notes = []
    graded_from = manifest.get("data_dir")
    if isinstance(graded_from, str) and graded_from:
        path = Path(graded_from) if Path(graded_from).is_absolute() else PROJECT_ROOT / graded_from
        if path.resolve() != data_dir.resolve():
            return [f"chấm từ thư mục dữ liệu khác ({graded_from})"]
    if manifest["rule_set"].get("sha256") not in (None, rules.sha256):
        notes.append(f"tệp quy tắc {rules.id} đã sửa sau khi chấm")
    changed = []
    for item in manifest.get("inputs") or []:
        path = data_dir / str(item.get("file", ""))
        if item.get("sha256") and path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() != item["sha256"]:
            changed.append(str(item["file"]))
    if changed:
        notes.append("dữ liệu đầu vào đã thay đổi sau khi chấm: " + ", ".join(changed))
    if notes:
        notes[-1] += "; chạy lại tthc grade để cập nhật"
    return notes


def grade_now(run: Run) -> QuarterGrades:
    """The quarter graded in memory as ``tthc grade`` would grade it (nothing written)."""
    from tthc.run import outputs
    from tthc.run.grading import grade_run

    result = grade_run(run)
    grades = getattr(result, "grades", None)
    if isinstance(grades, pd.DataFrame):  # TT 01/2018
        data, manifest = outputs.csv_bytes(grades), outputs.manifest(result)
    else:  # the index: its own tables and manifest
        from tthc.run import index_outputs

        data, manifest = index_outputs.render(result)["grades.csv"], index_outputs.manifest(result)
    frame, sha = read_grades(data, f"{run.quarter} (chấm trong bộ nhớ)")
    return QuarterGrades(run.quarter, frame, manifest, run.rules, GRADED_NOW,
                         file_label(run.data_dir / str(run.quarter)), (), sha)
