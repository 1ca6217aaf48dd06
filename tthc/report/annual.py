"""The annual report (``tthc year``): "Báo cáo kết quả chấm điểm ... năm 2021", NĐ 30/2020 layout like the
quarterly report, as one self-contained HTML page (the official stylesheet inlined) and its PDF (WeasyPrint).

The report is built from plain data (``AnnualReportData``: each quarter's grades, each segment's annual table)
and the profile's report parameters: ``report.yaml`` for the heading, recipients, signature, level names and
result phrases; the annual wording from ``templates/annual/defaults.yaml`` overlaid by the profile's
``annual.yaml``, then by ``<year>.yaml`` (number, date, the year's own legal bases). Every value reaches the
template as text and is autoescaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tthc.parameters.profiles import check_name
from tthc.report import wording as w
from tthc.report.context import (
    Report,
    ReportInputError,
    _document_date,
    _merge,
    _param,
    parameters_dir,
)
from tthc.report.templating import read_parameters
from tthc.vi import LOCALE

TEMPLATES = Path(__file__).parent / "templates"
CSS = TEMPLATES / "nbconvert" / "tthc_official" / "static" / "official.css"
DEFAULTS = TEMPLATES / "annual" / "defaults.yaml"
COLUMNS = ("stt", "unit", "dossiers", "quarters_graded", "total", "result", "rank", "quarter_total", "quarter_result")


@dataclass(frozen=True)
class QuarterSummary:
    quarter: str                   # 2021-Q1
    label: str                     # Quý I năm 2021
    grades: list[dict] = field(default_factory=list)  # rows with level and result
    graded_now: bool = False
    missing: str = ""              # why it has no result (empty when graded)


@dataclass(frozen=True)
class SegmentSummary:
    span: str                      # "năm 2021", "từ Quý I năm 2025 đến Quý II năm 2025"
    rule_set: str
    rule_set_title: str
    method_note: str
    table: pd.DataFrame            # the annual table (tthc.run.trend.annual.BASE_COLUMNS and per quarter)
    places: int
    quarters: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AnnualReportData:
    profile: str
    year: int
    method: str
    quarters: list[QuarterSummary]
    segments: list[SegmentSummary]
    falls: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def load_parameters(profile: str, year: int, root: Path | None = None) -> tuple[dict, list[str]]:
    """``report.yaml`` with the annual wording (defaults ← ``annual.yaml``) and ``<year>.yaml`` on top."""
    folder = parameters_dir(check_name(profile), root)
    base = folder / "report.yaml"
    if not base.is_file():
        raise ReportInputError(f"Không có tham số báo cáo cho profile '{profile}': thiếu tệp {base}.")
    params = _merge(read_parameters(base), read_parameters(DEFAULTS))
    warnings = []
    if (folder / "annual.yaml").is_file():
        params = _merge(params, read_parameters(folder / "annual.yaml"))
    if (folder / f"{year}.yaml").is_file():
        params = _merge(params, read_parameters(folder / f"{year}.yaml"))
    else:
        warnings.append(f"Chưa có tệp tham số của năm {year} ({folder / f'{year}.yaml'}): số văn bản, ngày ban hành "
                        "để trống, không có căn cứ riêng của năm.")
    return params, warnings


def score_text(text: str, places: int) -> str:
    """``"16.0"`` → ``16,0`` (the decimals the table is written with); blank stays blank."""
    if not str(text).strip():
        return ""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(Decimal(str(text)), format=pattern, locale=LOCALE)


def _sentences(rows: list[dict], levels: dict, params: dict) -> list[str]:
    try:
        return w.result_sentences(rows, levels, _param(params, "result_order"), _param(params, "result_phrases"),
                                  _param(params, "result_count"))
    except w.WordingError as exc:
        raise ReportInputError(f"Tham số báo cáo (report.yaml): {exc}") from None


def _annual_tables(segment: SegmentSummary, levels: dict, text) -> list[dict]:
    tables = []
    rows = segment.table.to_dict("records")
    for code, name in levels.items():
        mine = [r for r in rows if r["level"] == code]
        if not mine:
            continue
        body = [{"stt": i, "unit_name": r["unit_name"], "dossiers": w.number(int(r["dossiers"])) if r["dossiers"]
                 else "", "quarters_graded": r["quarters_graded"], "total": score_text(r["total"], segment.places),
                 "result": r["result"], "rank": r["rank"]} for i, r in enumerate(mine, start=1)]
        tables.append({"heading": text("appendix.level_heading", index=len(tables) + 1, level=name), "rows": body})
    return tables


def _quarter_tables(data: AnnualReportData, levels: dict, text) -> tuple[list[dict], list[dict]]:
    """Appendix II: per level, each unit's total and result per quarter; ``columns``: the quarters, with a
    ``break`` flag before a quarter under another rule set than the one before it."""
    columns, previous = [], None
    for segment in data.segments:
        for q in segment.quarters:
            columns.append({"quarter": q, "label": next(s.label for s in data.quarters if s.quarter == q),
                            "break": previous is not None and previous != segment.rule_set,
                            "places": segment.places})
            previous = segment.rule_set
    units: dict[str, dict] = {}
    for segment in data.segments:
        for r in segment.table.to_dict("records"):
            unit = units.setdefault(r["unit_id"], {"unit_name": r["unit_name"], "level": r["level"], "cells": {}})
            for c in columns:
                if c["quarter"] in segment.quarters:
                    unit["cells"][c["quarter"]] = (score_text(r.get(f"total_{c['quarter']}", ""), c["places"]),
                                                   r.get(f"result_{c['quarter']}", ""))
    tables = []
    for code, name in levels.items():
        mine = [u for u in units.values() if u["level"] == code]
        if not mine:
            continue
        body = [{"stt": i, "unit_name": u["unit_name"],
                 "cells": [{"break": c["break"], "total": u["cells"].get(c["quarter"], ("", ""))[0],
                            "result": u["cells"].get(c["quarter"], ("", ""))[1]} for c in columns]}
                for i, u in enumerate(mine, start=1)]
        tables.append({"heading": text("appendix.level_heading", index=len(tables) + 1, level=name), "rows": body})
    return columns, tables


def build_context(data: AnnualReportData, params: dict, method_label: str) -> dict:
    words = {"year": data.year, "issuer": _param(params, "issuing_body_short")}

    def text(key: str, **more) -> str:
        return w.fill(_param(params, key), **words, **more)

    levels = dict(_param(params, "levels"))
    number = f"{params.get('number') or w.BLANK}{_param(params, 'number_suffix')}"
    issued = _document_date(params.get("date"))
    bases = [*_param(params, "legal_bases.items"), *(params.get("year_legal_bases") or [])]
    quarters = []
    for q in data.quarters:
        sentences = [] if q.missing else _sentences(q.grades, levels, params)
        quarters.append({"heading": text("quarters.quarter_heading", quarter=q.label),
                         "missing": text("quarters.missing", quarter=q.label) if q.missing else "",
                         "graded_now": text("quarters.graded_now", quarter=q.label) if q.graded_now else "",
                         "sentences": sentences})
    segments = [{
        "heading": text("appendix.segment_heading", span=s.span, rule_set=s.rule_set_title) if len(data.segments) > 1
        else "",
        "method": text("year.method", span=s.span, method=s.method_note),
        "sentences": _sentences(s.table.to_dict("records"), levels, params),
        "tables": _annual_tables(s, levels, text),
    } for s in data.segments]
    falls = [text("year.fall", unit=f["unit_name"], level=levels.get(f["level"], f["level"]),
                  quarter=w.quarter_in_words(f["quarter"]), after=f["result"], bands=f["bands"],
                  before=f"{w.quarter_in_words(f['compared_with'])} ({f['result_before']})")
             for f in data.falls.to_dict("records")]
    columns, quarter_tables = _quarter_tables(data, levels, text)
    graded_now = [q.label for q in data.quarters if q.graded_now]
    rule_sets = "; ".join(dict.fromkeys(s.rule_set_title for s in data.segments))
    basis_key = "appendix.basis" if graded_now else "appendix.basis_all_graded"
    return {
        "html_title": text("html_title"),
        "issuing_body": [w.fill(x, **words) for x in _param(params, "issuing_body")],
        "national_motto": [w.fill(x, **words) for x in _param(params, "national_motto")],
        "number": number,
        "place_date": f"{text('place')}, {issued}",
        "document_kind": text("document_kind"),
        "title": text("title"),
        "legal_bases": f"{text('legal_bases.lead')} {'; '.join(w.fill(b, **words) for b in bases)}.",
        "opening": text("opening"),
        "quarters": {"heading": text("quarters.heading"), "intro": text("quarters.intro"), "items": quarters},
        "year": {"heading": text("year.heading"), "intro": text("year.intro"), "segments": segments,
                 "falls_heading": text("year.falls_heading"), "falls": falls, "no_falls": text("year.no_falls"),
                 "notes": list(data.notes)},
        "closing": text("closing"),
        "recipients": {"heading": text("recipients.heading"),
                       "items": [w.fill(x, **words) for x in _param(params, "recipients.items")]},
        "signature": {"authority": [w.fill(x, **words) for x in _param(params, "signature.authority")],
                      "signer": text("signature.signer")},
        "appendix": {
            "annual_heading": text("appendix.annual_heading"), "annual_title": text("appendix.annual_title"),
            "quarters_heading": text("appendix.quarters_heading"),
            "quarters_title": text("appendix.quarters_title"),
            "subtitle": text("appendix.subtitle", number=number, date=issued),
            "columns": {k: text(f"appendix.columns.{k}") for k in COLUMNS},
            "break_note": text("appendix.break_note"), "break_explained": text("appendix.break_explained"),
            "quarter_columns": columns, "quarter_tables": quarter_tables,
            "basis_heading": text("appendix.basis_heading"),
            "basis": text(basis_key, method=method_label, method_value=data.method, rule_sets=rule_sets,
                          graded_now=", ".join(graded_now)),
        },
    }


def render(context: dict) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES / "annual"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template("annual.html.j2").render(css=CSS.read_text(encoding="utf-8"), **context)


def build_annual_report(data: AnnualReportData, method_label: str, root: Path | None = None) -> Report:
    """The annual report's whole HTML page and what the reader of the log should know."""
    params, warnings = load_parameters(data.profile, data.year, root)
    try:
        context = build_context(data, params, method_label)
    except (w.WordingError, KeyError, TypeError, ValueError) as exc:
        raise ReportInputError(f"Tham số báo cáo năm không dùng được: {exc}") from None
    return Report(title=context["html_title"], html=render(context), warnings=tuple(warnings))
