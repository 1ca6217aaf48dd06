"""The quarterly report: its context from an output folder and the report parameters, and its HTML body.

Reads what the engine wrote (``grades.csv``, ``officials.csv``, ``satisfaction.csv``) and the profile's
report parameters (``parameters/reports/<profile>/report.yaml`` overlaid with ``<quarter>.yaml``), and
renders the body of the official document with Jinja2 (autoescaped). Every sentence pattern comes from
the parameters; this module only counts and fills them. The notebook displays ``Report.html``;
``tthc.report.export`` turns the executed notebook into ``report.html`` and ``report.pdf``.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

import yaml

from tthc import PROJECT_ROOT
from tthc.parameters.profiles import check_name
from tthc.quarter import Quarter
from tthc.report import appendix as appx
from tthc.report import wording as w
from tthc.report.inputs import (  # noqa: F401 - ReportInputError and indicator_columns: this module's API
    GRADES_COLUMNS,
    OFFICIALS_COLUMNS,
    SATISFACTION_COLUMNS,
    ReportInputError,
    count,
    indicator_columns,
    parse_grades,
    read_manifest,
    read_table,
    self_accepted,
)
from tthc.report.templating import environment

PAPER, ONLINE = "giay", "truc_tuyen"  # satisfaction.csv channels: Mẫu phiếu 4 (paper), Mẫu phiếu 5 (online)


@dataclass(frozen=True)
class Report:
    """The rendered report body, its ``<title>``, and what the reader of the log should know."""

    title: str
    html: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


# --- parameters -----------------------------------------------------------------------------------------


def parameters_dir(profile: str, root: Path | None = None) -> Path:
    return (root or PROJECT_ROOT) / "parameters" / "reports" / profile


def default_output_dir(profile: str, quarter: str | Quarter, root: Path | None = None) -> Path:
    return (root or PROJECT_ROOT) / "outputs" / profile / str(quarter)


def _merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_parameters(profile: str, quarter: str | Quarter, root: Path | None = None) -> tuple[dict, list[str]]:
    """The profile's ``report.yaml`` overlaid with ``<quarter>.yaml``, and warnings (missing quarter file)."""
    folder = parameters_dir(check_name(profile), root)
    base = folder / "report.yaml"
    if not base.is_file():
        raise ReportInputError(f"Không có tham số báo cáo cho hồ sơ '{profile}': thiếu tệp {base}.")
    params = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    per_quarter = folder / f"{quarter}.yaml"
    warnings = []
    if per_quarter.is_file():
        params = _merge(params, yaml.safe_load(per_quarter.read_text(encoding="utf-8")) or {})
    else:
        warnings.append(
            f"Chưa có tệp tham số của quý {quarter} ({per_quarter}): số văn bản, ngày ban hành để trống, "
            "không có căn cứ riêng của quý."
        )
    return params, warnings


def _param(params: dict, dotted: str) -> Any:
    node: Any = params
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            raise ReportInputError(f"Tham số báo cáo thiếu khóa '{dotted}'.")
        node = node[key]
    return node


# --- sections -------------------------------------------------------------------------------------------


def _issued_on(value: Any) -> date | None:
    """The issuing date when the parameters give a full one (``None`` for a month and year only)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, dict) and value.get("day"):
        return date(int(value["year"]), int(value["month"]), int(value["day"]))
    if isinstance(value, str) and value.strip():
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    return None


def _document_date(value: Any) -> str:
    """``ngày 05 tháng 7 năm 2021``; a month and year only leave the day blank for the signer."""
    if value is None or value == "":
        return w.long_date()
    day = _issued_on(value)
    if day is not None:
        return w.long_date(day)
    if isinstance(value, dict):
        return w.long_date(month=value.get("month"), year=value.get("year"))
    raise ReportInputError(f"Ngày ban hành '{value}' không hợp lệ (dạng 2021-07-05 hoặc 05/07/2021).")


def _forms_sentence(sat: list[dict] | None, section: dict, words: dict) -> str:
    if sat is None:
        return w.fill(section["forms_unknown"], **words)
    forms = Counter()  # per channel; a form of unknown channel counts in the total only
    for i, row in enumerate(sat, start=2):
        forms[row["channel"]] += count(row["forms"], f"satisfaction.csv dòng {i}, cột forms")
    total = sum(forms.values())
    if total == 0:
        return w.fill(section["forms_none"], **words)
    return w.fill(
        section["forms"],
        total=w.number(total),
        paper=w.number(forms[PAPER]),
        online=w.number(forms[ONLINE]),
        **words,
    )


def _satisfaction_sentence(sat: list[dict] | None, section: dict, words: dict) -> str:
    totals = Counter()
    for i, row in enumerate(sat or [], start=2):
        for key in ("very_satisfied", "satisfied", "dissatisfied"):
            totals[key] += count(row[key], f"satisfaction.csv dòng {i}, cột {key}")
    answered = sum(totals.values())
    if answered == 0:
        return w.fill(section["no_answers"], **words)
    if totals["dissatisfied"] == 0:
        return w.fill(section["all_satisfied"], **words)
    return w.fill(
        section["some_dissatisfied"],
        satisfied_share=w.percent(totals["very_satisfied"] + totals["satisfied"], answered),
        very_share=w.percent(totals["very_satisfied"], answered),
        plain_share=w.percent(totals["satisfied"], answered),
        dissatisfied_share=w.percent(totals["dissatisfied"], answered),
        dissatisfied=w.number(totals["dissatisfied"]),
        **words,
    )


def _officials_sentence(officials: list[dict], section: dict, words: dict) -> str:
    counts = Counter(row["completion"].strip() for row in officials)
    if not counts:
        return w.fill(section["none"], **words)
    if set(counts) == {section["all_complete_value"]}:
        return w.fill(section["all_complete"], **words)
    parts = w.counted_parts(
        counts, section["order"], section["phrases"], section["count"], label="officials.csv"
    )
    return w.fill(section["mixed"], parts="; ".join(parts), **words)


# --- context and rendering ------------------------------------------------------------------------------


def heading(params: dict, q: Quarter, words: dict) -> dict:
    """What every report of a quarter opens with, from its parameters: the NĐ 30 heading (issuing body, motto,
    number, place and date), the title, the legal bases and the opening paragraph."""

    def text(key: str) -> str:
        return w.fill(_param(params, key), **words)

    issued_on = _issued_on(params.get("date"))
    bases = [*_param(params, "legal_bases.items"), *(params.get("quarter_legal_bases") or [])]
    return {
        "meta": {"quarter": str(q), "date": (issued_on or q.bounds()[1]).isoformat()},
        "html_title": text("html_title"),
        "issuing_body_short": text("issuing_body_short"),
        "issuing_body": [w.fill(p, **words) for p in _param(params, "issuing_body")],
        "national_motto": [w.fill(p, **words) for p in _param(params, "national_motto")],
        "number": f"{params.get('number') or w.BLANK}{_param(params, 'number_suffix')}",
        "place_date": f"{text('place')}, {_document_date(params.get('date'))}",
        "document_kind": text("document_kind"),
        "title": text("title"),
        "legal_bases": f"{text('legal_bases.lead')} {'; '.join(w.fill(b, **words) for b in bases)}.",
        "opening": text("opening"),
    }


def build_context(out_dir: Path | str, params: dict, quarter: str | Quarter) -> dict:
    """Everything the report template shows, as display strings (numbers and dates in Vietnamese form)."""
    out_dir = Path(out_dir)
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    label = w.quarter_in_words(q)
    words = {"quarter": label, "quarter_upper": label.upper(), "year": q.year}

    def text(key: str) -> str:
        return w.fill(_param(params, key), **words)

    def texts(key: str) -> list[str]:
        return [w.fill(p, **words) for p in _param(params, key)]

    levels = dict(_param(params, "levels"))
    raw_grades = read_table(out_dir / "grades.csv", GRADES_COLUMNS)
    numbers = indicator_columns(list(raw_grades.columns))
    grades = parse_grades(raw_grades.to_dict("records"), numbers, levels)
    officials = read_table(out_dir / "officials.csv", OFFICIALS_COLUMNS).to_dict("records")
    sat_path = out_dir / "satisfaction.csv"
    satisfaction = (
        read_table(sat_path, SATISFACTION_COLUMNS).to_dict("records") if sat_path.is_file() else None
    )
    manifest = read_manifest(out_dir / "manifest.json")
    policies = manifest.policies if manifest else {}
    accepted = self_accepted(out_dir / "unit_indicators.csv")

    results, appendix = _param(params, "results"), _param(params, "appendix")
    sentences = w.result_sentences(
        grades,
        levels,
        _param(params, "result_order"),
        _param(params, "result_phrases"),
        _param(params, "result_count"),
    )
    for key in ("appendix.notes", "basis", "technical", "public"):
        _param(params, key)  # a missing section is named here, not deep inside a helper
    head = heading(params, q, words)
    issued = _document_date(params.get("date"))
    return {
        **head,
        "implementation": {
            "heading": text("implementation.heading"),
            "paragraphs": texts("implementation.paragraphs"),
        },
        "results": {
            "heading": text("results.heading"),
            "collecting": {
                "heading": text("results.collecting.heading"),
                "paragraphs": texts("results.collecting.paragraphs"),
                "forms": _forms_sentence(satisfaction, results["collecting"], words),
                "closing_paragraphs": texts("results.collecting.closing_paragraphs"),
            },
            "grades": {
                "heading": text("results.grades.heading"),
                "intro": text("results.grades.intro"),
                "appendix_note": text("results.grades.appendix_note"),
                "item_prefix": _param(params, "results.grades.item_prefix"),
                "sentences": sentences,
            },
            "use": {
                "heading": text("results.use.heading"),
                "officials": _officials_sentence(officials, results["use"]["officials"], words),
                "satisfaction": _satisfaction_sentence(satisfaction, results["use"]["satisfaction"], words),
                "paragraphs": texts("results.use.paragraphs"),
            },
        },
        "difficulties": {
            "heading": text("difficulties.heading"),
            "paragraphs": texts("difficulties.paragraphs"),
        },
        "closing": text("closing"),
        "recipients": {"heading": text("recipients.heading"), "items": texts("recipients.items")},
        "signature": {"authority": texts("signature.authority"), "signer": text("signature.signer")},
        "appendix": {
            "heading": text("appendix.heading"),
            "title": text("appendix.title"),
            "subtitle": w.fill(appendix["subtitle"], number=head["number"], date=issued, **words),
            "columns": {k: w.fill(v, **words) for k, v in appendix["columns"].items() if k != "indicator"},
            "indicator_labels": [w.fill(appendix["columns"]["indicator"], n=n) for n in numbers],
            "tables": appx.tables(grades, numbers, levels, params, accepted, policies),
            "basis_heading": text("basis.heading"),
            "basis": appx.basis(manifest, params, accepted, words),
            "technical": appx.technical(manifest, params, words),
        },
        "public": {key: w.fill(v, **words) for key, v in _param(params, "public").items() if isinstance(v, str)},
    }


def render(context: dict) -> str:
    """The report body (an ``<article>`` fragment) for the context; every value is HTML-escaped."""
    return environment().get_template("report.html.j2").render(**context)


def build_report(
    quarter: str | Quarter,
    profile: str,
    out_dir: Path | str | None = None,
    root: Path | None = None,
) -> Report:
    """The report of ``quarter`` for ``profile`` from ``out_dir`` (by default outputs/<profile>/<quarter>)."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    params, warnings = load_parameters(profile, q, root)
    folder = Path(out_dir) if out_dir is not None else default_output_dir(profile, q, root)
    context = build_context(folder, params, q)
    if not (folder / "satisfaction.csv").is_file():
        warnings.append(f"Không có {folder / 'satisfaction.csv'}: báo cáo không nêu được số phiếu đánh giá.")
    if not (folder / "manifest.json").is_file():
        warnings.append(
            f"Không có {folder / 'manifest.json'}: phụ lục không nêu bộ quy tắc và các lựa chọn đã áp dụng."
        )
    else:
        note = read_manifest(folder / "manifest.json").legal_basis_note
        if note:
            warnings.append(note)
    return Report(title=context["html_title"], html=render(context), warnings=tuple(warnings))


CHART_TITLES = {
    "phan_loai_theo_cap": "Kết quả xếp loại theo cấp",
    "chi_so_theo_don_vi": "Điểm từng chỉ số của các đơn vị",
    "tu_cham_va_tham_dinh": "Điểm tự chấm và điểm thẩm định",
    "hai_long_theo_kenh": "Mức độ hài lòng theo hình thức đánh giá",
}


def charts_html(quarter: str | Quarter, profile: str, out_dir: Path | str | None = None,
                root: Path | None = None) -> str:
    """The quarter's charts as one self-contained HTML section (inline PNG), shown on screen only: the PDF
    keeps the official text and appendix (the stylesheet hides ``tthc-screen-only`` in print)."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    folder = Path(out_dir) if out_dir is not None else default_output_dir(profile, q, root)
    return figures_section(_chart_pngs(folder), CHART_TITLES)


def figures_section(pngs: dict[str, bytes], titles: dict[str, str]) -> str:
    """Figures as one self-contained HTML section (inline PNG, titled), shown on screen only."""
    parts = ['<section class="tthc-charts tthc-screen-only"><h2>Biểu đồ</h2>']
    for name, png in pngs.items():
        data = base64.b64encode(png).decode("ascii")
        title = escape(titles.get(name, name))
        parts.append(f'<figure><img class="tthc-figure" alt="{title}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{title}</figcaption></figure>")
    parts.append("</section>")
    return "".join(parts)


def _chart_pngs(folder: Path) -> dict[str, bytes]:
    """The charts the charts stage saved (``charts/*.png``) when they are newer than the grades; otherwise
    drawn now from the same tables."""
    from tthc.report import charts

    saved = {name: folder / "charts" / f"{name}.png" for name in charts.FIGURES}
    grades = folder / "grades.csv"
    if grades.is_file() and all(p.is_file() and p.stat().st_mtime >= grades.stat().st_mtime for p in saved.values()):
        return {name: path.read_bytes() for name, path in saved.items()}
    return {name: charts.png_bytes(fig) for name, fig in charts.build_all(folder).items()}
