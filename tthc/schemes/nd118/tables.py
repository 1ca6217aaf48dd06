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
import pyarrow as pa
import pyarrow.compute as pc

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


def _categories(codes: np.ndarray, texts: list[str]) -> pd.Categorical:
    """Texts taken per row by code, as a categorical (each distinct text held and written once)."""
    text_codes, uniques = pd.factorize(np.array(texts, dtype=object))  # two days could read alike: merged
    return pd.Categorical.from_codes(text_codes[codes], categories=pd.Index(uniques, dtype=object))


def _day_codes(days: pd.Series) -> tuple[np.ndarray, list[pd.Timestamp]]:
    """Each row's day as a code into the distinct days; ``len(days)`` (one past the last) for no date."""
    codes, uniques = pd.factorize(days)
    return np.where(codes < 0, len(uniques), codes), [pd.Timestamp(u) for u in uniques]


def _days_as(days: pd.Series, fmt: str, missing: str) -> pd.Categorical:
    """Dates as text, each distinct day formatted once (exports hold a few hundred days for many rows)."""
    codes, uniques = _day_codes(days)
    return _categories(codes, [u.strftime(fmt) for u in uniques] + [missing])


#: A 1/0 flag, blank where it does not apply (codes 1, 0 and 2).
FLAG_TEXTS = ["0", "1", ""]


def _flags(mask: np.ndarray, applies: np.ndarray | None = None) -> pd.Categorical:
    codes = mask.astype(np.int8)
    if applies is not None:
        codes[~applies] = 2
    return pd.Categorical.from_codes(codes, categories=FLAG_TEXTS)


def _joined(pieces: list) -> list[str]:
    """Pieces (``(texts, codes)`` pairs, or one text for every row) joined row by row with Arrow."""
    arrays = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else
              pa.array(p[0], pa.large_string()).take(pa.array(p[1])) for p in pieces]
    return pc.binary_join_element_wise(*arrays, pa.scalar("", pa.large_string())).to_pylist()


def _reason(d: pd.DataFrame) -> pd.Categorical:
    """Why each dossier counts (or not), in Vietnamese: its status and its dates. A quarter holds few distinct
    (status, received, due, finished) combinations for many rows: each combination is worded once."""
    status = d["status"].cat.codes.to_numpy().astype(np.int64)
    status_texts = [STATUS_TEXT[c] for c in d["status"].cat.categories]
    key, days = status, []
    for column in ("received_day", "due_day", "finished_day"):
        codes, uniques = _day_codes(d[column])
        key = pd.factorize(key * (len(uniques) + 1) + codes)[0]  # the combination so far, renumbered 0…k-1
        days.append((codes, uniques))
    first = np.unique(key, return_index=True)[1]  # the first row of each combination, in code order
    (rec, rec_days), (due, due_days), (fin, fin_days) = days
    texts = _joined([(status_texts, status[first]), " (tiếp nhận ",
                     ([u.strftime("%d/%m/%Y") for u in rec_days] + ["…"], rec[first]), ", hẹn trả ",
                     ([u.strftime("%d/%m/%Y") for u in due_days] + ["…"], due[first]),
                     ([f", có kết quả {u.strftime('%d/%m/%Y')})" for u in fin_days] + [", chưa có kết quả)"],
                      fin[first])])
    return _categories(key, texts)


def dossier_frame(result) -> pd.DataFrame:
    """Every dossier given, with its flags and why it counts (or not). The 1/0 flags, the dates and the reasons
    are categoricals: a writer formats each distinct value once."""
    d = result.facts.dossiers
    present = result.facts.dossier_present
    n = len(d)
    in_n = d["in_n"].to_numpy(dtype=bool)
    blank = pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[""])
    columns = {"dossier_id": d["dossier_id"].array if "dossier_id" in d else blank,
               "unit_id": d["unit_id"].array,
               "received_at": _days_as(d["received_day"], "%Y-%m-%d", ""),
               "due_at": _days_as(d["due_day"], "%Y-%m-%d", ""),
               "finished_at": _days_as(d["finished_day"], "%Y-%m-%d", ""), "in_n": _flags(in_n)}
    columns["on_time"] = _flags(d["on_time"].to_numpy(dtype=bool), in_n) if "on_time" in present else blank
    for flag in FLAG_COLUMNS:
        column = "petition" if flag == "named" else flag
        fact = "rating" if flag == "rating_unsatisfied" else flag
        if fact not in present or flag not in d:
            columns[column] = blank
            continue
        columns[column] = _flags(d[flag].to_numpy(dtype=bool), in_n if flag == "satisfied" else None)
    columns["reason"] = _reason(d)
    columns["source_file"] = d[FILE].array if FILE in d else blank
    columns["source_row"] = d[ROW].astype("Int64").array
    return pd.DataFrame(columns, columns=DOSSIER_COLUMNS)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV, ``\\n`` line ends, text guarded against formulas: the same frame gives the same bytes."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):  # its categories checked; a risky one: as text
            if any(isinstance(c, str) and safe_text(c) != c for c in out[col].cat.categories):
                out[col] = out[col].astype(object)
            else:
                continue
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            codes, uniques = pd.factorize(out[col].to_numpy(dtype=object))  # each distinct cell checked once
            risky = [isinstance(u, str) and safe_text(u) != u for u in uniques]
            if any(risky):  # only the cells a spreadsheet could run go through the guard
                guarded = np.array([safe_text(u) if r else u for u, r in zip(uniques, risky, strict=True)] + [None],
                                   dtype=object)
                out[col] = guarded[codes]
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


#: Each table's file name and how it is built, in the order they are written.
FRAMES = {"grades.csv": grades_frame, "components.csv": components_frame, "officials.csv": officials_frame,
          "dossier_scores.csv": dossier_frame, "citizens.csv": citizens_frame,
          "findings.csv": lambda result: result.findings.frame()}


def render(result, writer=csv_bytes) -> dict[str, bytes]:
    """Every table's bytes, by file name. ``writer`` turns a frame into bytes (the run's column-wise writer
    gives the same bytes as :func:`csv_bytes`, faster; None from it means "not handled": :func:`csv_bytes`)."""
    files = {}
    for name, build in FRAMES.items():
        frame = build(result)
        data = writer(frame)
        files[name] = csv_bytes(frame) if data is None else data
        del frame
    return files


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
