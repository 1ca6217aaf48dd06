"""The quarterly report of a quarter graded on the NĐ 118/2025 service index: its context from the output folder
and the report parameters, and its HTML body (NĐ 30/2020 layout, as the TT 01/2018 report).

Reads ``grades.csv``, ``components.csv``, ``officials.csv``, ``citizens.csv`` and ``manifest.json``
(``tthc.report.index_inputs``) and the wording: ``templates/index/defaults.yaml`` overlaid with the profile's
``parameters/reports/<profile>/report.yaml`` and ``<quarter>.yaml``. The body holds the province's index and band,
per tier the counts per band and the units at both ends, the components where the province loses most points,
citizens' evaluation beside the index, officials without points, and the bands' footnote; Phụ lục I ranks every
tier with its group points, Phụ lục II gives citizens' forms per unit. The same context feeds ``report.docx``
(``tthc.report.index_docx``) and ``public.html`` (``tthc.report.public_page``).
"""

from __future__ import annotations

from pathlib import Path

from tthc.parameters.profiles import check_name
from tthc.quarter import Quarter
from tthc.report import index_appendix as appx
from tthc.report import index_sentences as say
from tthc.report import wording as w
from tthc.report.context import (
    Report,
    _document_date,
    _merge,
    _param,
    default_output_dir,
    heading,
    parameters_dir,
)
from tthc.report.index_inputs import read_index
from tthc.report.inputs import ReportInputError
from tthc.report.templating import TEMPLATES, environment, read_parameters

INDEX_TEMPLATES = TEMPLATES.parent / "index"
DEFAULTS = INDEX_TEMPLATES / "defaults.yaml"
STYLE = INDEX_TEMPLATES / "index.css"


def load_parameters(profile: str, quarter: str | Quarter, root: Path | None = None) -> tuple[dict, list[str]]:
    """The index report's wording (``defaults.yaml``) overlaid with the profile's ``report.yaml``, then with
    ``<quarter>.yaml``; and warnings (missing quarter file, legal bases still to confirm)."""
    folder = parameters_dir(check_name(profile), root)
    base = folder / "report.yaml"
    if not base.is_file():
        raise ReportInputError(f"Không có tham số báo cáo cho profile '{profile}': thiếu tệp {base}.")
    params = _merge(read_parameters(DEFAULTS), read_parameters(base))
    warnings = []
    per_quarter = folder / f"{quarter}.yaml"
    if per_quarter.is_file():
        params = _merge(params, read_parameters(per_quarter))
    else:
        warnings.append(f"Chưa có tệp tham số của quý {quarter} ({per_quarter}): số văn bản, ngày ban hành để trống, "
                        "không có căn cứ riêng của quý.")
    confirm = (params.get("legal_bases") or {}).get("to_confirm")
    if confirm:
        warnings.append(str(confirm).strip())
    return params, warnings


def build_context(out_dir: Path | str, params: dict, quarter: str | Quarter) -> dict:
    """Everything the index report shows, as display strings (numbers and dates in Vietnamese form)."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    try:
        return _context(Path(out_dir), params, q)
    except w.WordingError as exc:
        raise ReportInputError(f"Tham số báo cáo không dùng được: {exc}") from None
    except (KeyError, TypeError) as exc:
        raise ReportInputError(f"Tham số báo cáo thiếu hoặc sai khóa {exc}.") from None


def _context(out_dir: Path, params: dict, q: Quarter) -> dict:
    t = read_index(out_dir)
    if t.quarter != str(q):
        raise ReportInputError(f"{out_dir / 'manifest.json'} là kết quả của quý {t.quarter}, không phải {q}.")
    label = w.quarter_in_words(q)
    words = {"quarter": label, "quarter_upper": label.upper(), "year": q.year,
             "issuer": _param(params, "issuing_body_short")}

    def text(key: str) -> str:
        return w.fill(_param(params, key), **words)

    def texts(key: str) -> list[str]:
        return [w.fill(p, **words) for p in _param(params, key)]

    levels = say.tier_levels(t, dict(_param(params, "levels")), text("appendix.unknown_level"))
    results, appendix = params["results"], params["appendix"]
    head = heading(params, q, words)
    issued = _document_date(params.get("date"))
    return {
        "scheme": "nd118",
        **head,
        "data_note": w.fill(params.get("data_note") or "", **words).strip(),
        "implementation": {"heading": text("implementation.heading"),
                           "paragraphs": texts("implementation.paragraphs")},
        "results": {
            "heading": text("results.heading"),
            "province": {"heading": text("results.province.heading"),
                         "paragraphs": say.province(t, results["province"], words)},
            "units": {"heading": text("results.units.heading"), "intro": text("results.units.intro"),
                      "appendix_note": text("results.units.appendix_note"),
                      "item_prefix": results["units"]["item_prefix"],
                      "sentences": say.tier_sentences(t, levels, params),
                      "leaders": say.leaders(t, levels, results["units"], words)},
            "losses": {"heading": text("results.losses.heading"), "intro": text("results.losses.intro"),
                       "items": say.losses(t, results["losses"], words)},
            "citizens": {"heading": text("results.citizens.heading"),
                         "paragraphs": say.citizens(t, results["citizens"], words)},
            "officials": {"heading": text("results.officials.heading"),
                          "paragraphs": say.officials(t, results["officials"], words)},
            "bands_note": say.bands_note(t, results, words),
        },
        "difficulties": {"heading": text("difficulties.heading"), "paragraphs": texts("difficulties.paragraphs")},
        "closing": text("closing"),
        "recipients": {"heading": text("recipients.heading"), "items": texts("recipients.items")},
        "signature": {"authority": texts("signature.authority"), "signer": text("signature.signer")},
        "appendix": {
            "index_heading": text("appendix.index_heading"),
            "index_title": text("appendix.index_title"),
            "citizens_heading": text("appendix.citizens_heading"),
            "citizens_title": text("appendix.citizens_title"),
            "subtitle": w.fill(appendix["subtitle"], number=head["number"], date=issued, **words),
            "columns": {k: w.fill(v, **words) for k, v in appendix["columns"].items() if k != "group"},
            "group_labels": appx.group_labels(t, appendix["columns"]),
            "groups_legend": appx.groups_legend(t, appendix),
            "tables": appx.index_tables(t, levels, params),
            "citizens_columns": {k: w.fill(v, **words) for k, v in appendix["citizens_columns"].items()},
            "citizens_tables": appx.citizens_tables(t, levels, params),
            "basis_heading": text("basis.heading"),
            "basis": appx.basis(t, params, words),
            "technical": appx.technical(t, params, words),
        },
        "public": {key: w.fill(v, **words) for key, v in _param(params, "public").items() if isinstance(v, str)},
    }


def render(context: dict) -> str:
    """The report body (an ``<article>`` fragment, its own stylesheet inside) for the context; escaped."""
    template = environment(INDEX_TEMPLATES).get_template("body.html.j2")
    return template.render(style=STYLE.read_text(encoding="utf-8"), **context)


def build_report(quarter: str | Quarter, profile: str, out_dir: Path | str | None = None,
                 root: Path | None = None) -> Report:
    """The index report of ``quarter`` for ``profile`` from ``out_dir`` (by default outputs/<profile>/<quarter>)."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    params, warnings = load_parameters(profile, q, root)
    folder = Path(out_dir) if out_dir is not None else default_output_dir(profile, q, root)
    context = build_context(folder, params, q)
    for name in ("citizens.csv", "officials.csv"):
        if not (folder / name).is_file():
            warnings.append(f"Không có {folder / name}: báo cáo không nêu được phần này.")
    return Report(title=context["html_title"], html=render(context), warnings=tuple(warnings))
