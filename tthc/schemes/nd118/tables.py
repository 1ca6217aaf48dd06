"""The output tables under the index rule set (DATA_CONTRACT v2), as DataFrames and as deterministic bytes.

- ``grades.csv``: ``unit_id``, ``unit_name``, ``level``, ``dossiers`` (N), one column per group named ``g1`` …
  ``g6`` (the group's points, blank when none of its components is known), ``total`` (0–100, two decimals,
  rescaled when components are left out), ``source`` (``portal``/``recomputed``/``mixed``), ``result`` (the
  band, or the ``no_data`` status), ``rank`` (within the level; blank when not ranked). The province's own row
  (level ``toan_tinh``) comes first, then the units in units.csv's order.
- ``components.csv``: per unit and component: ``numerator``, ``denominator``, ``ratio`` (four decimals),
  ``points`` (the points that count; blank when left out), ``max``, ``source`` (``portal``, ``recomputed``,
  ``evidence``, ``not_applicable``, ``missing``), ``portal_points``, ``difference`` (portal minus the
  workbench's own points) and ``reason`` (Vietnamese).
- ``officials.csv`` (v2), ``citizens.csv`` (forms per unit and channel, beside the index).
- ``dossier_scores.csv``: every dossier row given, with ``in_n`` and its flags (1/0; blank where the export
  has no such column; ``on_time`` and ``satisfied`` blank outside N), the reason in Vietnamese, file and row.

Numbers use a dot; booleans 1/0; text cells are guarded against spreadsheet formulas.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from tthc.sanitize import safe_text

from .facts import DOSSIER_FLAGS, FILE, ROW, STATUS_TEXT
from .officials import CITIZENS_COLUMNS, OFFICIALS_COLUMNS

COMPONENT_COLUMNS = ["unit_id", "component", "portal_code", "numerator", "denominator", "ratio", "points", "max",
                     "source", "portal_points", "difference", "reason"]
FLAG_COLUMNS = ["online", *DOSSIER_FLAGS, "rating_unsatisfied", "named", "satisfied"]
DOSSIER_COLUMNS = ["dossier_id", "unit_id", "received_at", "due_at", "finished_at", "in_n", "on_time",
                   *[c if c != "named" else "petition" for c in FLAG_COLUMNS], "reason", "source_file", "source_row"]


def _num(value: Decimal | None) -> str:
    return "" if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def grades_frame(result) -> pd.DataFrame:
    groups = [g.column for g in result.rules.groups]
    rows = []
    for u in result.units:
        row = {"unit_id": u.unit_id, "unit_name": u.unit_name, "level": u.level or "", "dossiers": u.dossiers}
        row.update({g.column: _num(u.groups.get(g.code)) for g in result.rules.groups})
        row.update({"total": _num(u.total), "source": u.source, "result": u.result,
                    "rank": "" if u.rank is None else str(u.rank)})
        rows.append(row)
    return pd.DataFrame(rows, columns=["unit_id", "unit_name", "level", "dossiers", *groups, "total", "source",
                                       "result", "rank"])


def components_frame(result) -> pd.DataFrame:
    rows = []
    for u in result.units:
        for c in u.components:
            spec = result.rules.component(c.code)
            diff = c.difference
            rows.append({
                "unit_id": u.unit_id, "component": c.code, "portal_code": spec.portal_code,
                "numerator": "" if c.numerator is None else str(c.numerator),
                "denominator": "" if c.denominator is None else str(c.denominator),
                "ratio": c.ratio_text, "points": _num(c.points), "max": str(spec.max), "source": c.source,
                "portal_points": "" if c.portal is None else _num(c.portal.points),
                "difference": "" if diff is None else _num(diff), "reason": c.reason,
            })
    return pd.DataFrame(rows, columns=COMPONENT_COLUMNS)


def officials_frame(result) -> pd.DataFrame:
    return result.officials.reindex(columns=OFFICIALS_COLUMNS)


def citizens_frame(result) -> pd.DataFrame:
    return result.citizens.reindex(columns=CITIZENS_COLUMNS)


def _days_as(days: pd.Series, fmt: str, missing: str) -> np.ndarray:
    """Dates as text, each distinct day formatted once (exports hold a few hundred days for many rows)."""
    codes, uniques = pd.factorize(days)
    texts = np.array([pd.Timestamp(u).strftime(fmt) for u in uniques] + [missing], dtype=object)
    return texts[codes]  # code -1 (no date) reads ``missing``


def _ones(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, "1", "0").astype(object)


def dossier_frame(result) -> pd.DataFrame:
    """Every dossier given, with its flags and why it counts (or not)."""
    d = result.facts.dossiers
    present = result.facts.dossier_present
    n = len(d)
    in_n = d["in_n"].to_numpy(dtype=bool)
    blank = np.full(n, "", dtype=object)
    columns = {"dossier_id": d["dossier_id"].astype(object).to_numpy() if "dossier_id" in d else blank,
               "unit_id": d["unit_id"].astype(object).to_numpy(),
               "received_at": _days_as(d["received_day"], "%Y-%m-%d", ""),
               "due_at": _days_as(d["due_day"], "%Y-%m-%d", ""),
               "finished_at": _days_as(d["finished_day"], "%Y-%m-%d", ""), "in_n": _ones(in_n)}
    on_time = _ones(d["on_time"].to_numpy(dtype=bool))
    columns["on_time"] = np.where(in_n, on_time, blank) if "on_time" in present else blank
    for flag in FLAG_COLUMNS:
        column = "petition" if flag == "named" else flag
        fact = "rating" if flag == "rating_unsatisfied" else flag
        if fact not in present or flag not in d:
            columns[column] = blank
            continue
        values = _ones(d[flag].to_numpy(dtype=bool))
        columns[column] = np.where(in_n, values, blank) if flag == "satisfied" else values
    status = np.array([STATUS_TEXT[c] for c in d["status"].cat.categories], dtype=object)[d["status"].cat.codes]
    finished = _days_as(d["finished_day"], "%d/%m/%Y", "")
    columns["reason"] = (status + " (tiếp nhận " + _days_as(d["received_day"], "%d/%m/%Y", "…") + ", hẹn trả "
                         + _days_as(d["due_day"], "%d/%m/%Y", "…")
                         + np.where(finished == "", ", chưa có kết quả)", ", có kết quả " + finished + ")"))
    columns["source_file"] = d[FILE].astype(object).to_numpy() if FILE in d else blank
    columns["source_row"] = d[ROW].astype("Int64").astype(str).replace("<NA>", "").to_numpy(dtype=object)
    return pd.DataFrame(columns, columns=DOSSIER_COLUMNS, dtype=object)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV, ``\\n`` line ends, text guarded against formulas: the same frame gives the same bytes."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            codes, uniques = pd.factorize(out[col].to_numpy(dtype=object))  # each distinct cell checked once
            risky = [isinstance(u, str) and safe_text(u) != u for u in uniques]
            if any(risky):  # only the cells a spreadsheet could run go through the guard
                guarded = np.array([safe_text(u) if r else u for u, r in zip(uniques, risky, strict=True)] + [None],
                                   dtype=object)
                out[col] = guarded[codes]
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def render(result) -> dict[str, bytes]:
    """Every table's bytes, by file name."""
    return {
        "grades.csv": csv_bytes(grades_frame(result)),
        "components.csv": csv_bytes(components_frame(result)),
        "officials.csv": csv_bytes(officials_frame(result)),
        "dossier_scores.csv": csv_bytes(dossier_frame(result)),
        "citizens.csv": csv_bytes(citizens_frame(result)),
        "findings.csv": csv_bytes(result.findings.frame()),
    }


def manifest_fields(result) -> dict:
    """What a manifest says about an index run: rule set, policies (every value), bands, accounting."""
    rules = result.rules
    return {
        "scheme": rules.scheme,
        "rule_set": {"id": rules.id, "title": rules.title, "sha256": rules.sha256},
        "period": {"start": result.start.isoformat(), "end": result.end.isoformat()},
        "province_unit_id": result.province_id,
        "policies": dict(sorted(result.policies.items())),
        "bands": [{"min": str(b.min), "label": b.label} for b in rules.bands(result.policies)],
        "row_accounting": {k: v for k, v in sorted(result.accounting.items())},
        "counts": {"units": len(result.units) - 1,
                   "dossiers_in_n": int(result.facts.dossiers["in_n"].sum()),
                   "findings": {sev: sum(f.severity == sev for f in result.findings.items)
                                for sev in ("error", "warning", "info")}},
    }
