"""The quarterly report of an output folder, whichever scheme graded it (``manifest.json``'s ``scheme``): TT
01/2018's report (``tthc.report.context``, ``tthc.report.docx``) or the NĐ 118/2025 index report
(``tthc.report.index_context``, ``tthc.report.index_docx``). The report notebook and the export call these, so
that one notebook serves both schemes; ``public.html`` comes from either context (``tthc.report.public_page``).
"""

from __future__ import annotations

from pathlib import Path

from tthc.quarter import Quarter
from tthc.report import context as tt01
from tthc.report import index_context as index
from tthc.report.context import Report, default_output_dir
from tthc.report.index_inputs import scheme_of

INDEX = "nd118"


def _folder(quarter: Quarter, profile: str, out_dir, root) -> Path:
    return Path(out_dir) if out_dir is not None else default_output_dir(profile, quarter, root)


def _quarter(quarter: str | Quarter) -> Quarter:
    return quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)


def build_report(quarter: str | Quarter, profile: str, out_dir: Path | str | None = None,
                 root: Path | None = None) -> Report:
    """The report body of ``quarter`` for ``profile`` from ``out_dir`` (by default outputs/<profile>/<quarter>)."""
    q = _quarter(quarter)
    folder = _folder(q, profile, out_dir, root)
    if scheme_of(folder) == INDEX:
        return index.build_report(q, profile, folder, root)
    return tt01.build_report(q, profile, out_dir, root)


def charts_html(quarter: str | Quarter, profile: str, out_dir: Path | str | None = None,
                root: Path | None = None) -> str:
    """The quarter's figures beside the report, on screen only."""
    q = _quarter(quarter)
    folder = _folder(q, profile, out_dir, root)
    if scheme_of(folder) == INDEX:
        from tthc.report import figures

        return figures.charts_html(folder)
    return tt01.charts_html(q, profile, out_dir, root)


def build_context(out_dir: Path | str, profile: str, quarter: str | Quarter, root: Path | None = None) -> dict:
    """The report's context (what the HTML, the Word document and the public page show)."""
    q = _quarter(quarter)
    if scheme_of(out_dir) == INDEX:
        params, _ = index.load_parameters(profile, q, root)
        return index.build_context(out_dir, params, q)
    params, _ = tt01.load_parameters(profile, q, root)
    return tt01.build_context(out_dir, params, q)


def word(context: dict) -> bytes:
    """``report.docx`` of a context."""
    if context.get("scheme") == INDEX:
        from tthc.report import index_docx

        return index_docx.render(context)
    from tthc.report import docx

    return docx.render(context)


def public_page(context: dict) -> str:
    """``public.html`` of a context."""
    from tthc.report import public_page as page

    return page.render(context)
