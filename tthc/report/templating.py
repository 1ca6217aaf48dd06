"""The report templates' Jinja environment and the report-parameter files (YAML), shared by the quarterly,
index and annual reports and the public page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from markupsafe import escape as markup_escape

from tthc.report import wording as w
from tthc.report.inputs import ReportInputError

TEMPLATES = Path(__file__).parent / "templates" / "report"


def keep_hyphenated(value: Any) -> Any:
    """A text for the HTML, escaped, each hyphenated word ("HĐND-UBND", "NĐ-CP") in a span that does not
    break across lines; other values as they are (Jinja's ``finalize``: every ``{{ }}`` goes through it)."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    escaped = str(markup_escape(value))
    return Markup(w.HYPHENATED.sub(lambda m: f'<span class="tthc-nowrap">{m.group(0)}</span>', escaped))


def environment(*folders: Path, hyphens: bool = True) -> Environment:
    """The report templates' Jinja environment (``folders`` first, then the shared templates): every value
    escaped, a missing one an error; ``hyphens`` keeps hyphenated words on one line."""
    return Environment(
        loader=FileSystemLoader([*folders, TEMPLATES]),
        autoescape=True,
        finalize=keep_hyphenated if hyphens else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def read_parameters(path: Path) -> dict:
    """One report-parameter file (YAML, a mapping), or ``ReportInputError`` naming it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ReportInputError(f"Không đọc được tham số báo cáo {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ReportInputError(f"Tham số báo cáo {path}: cần một bảng khóa: giá trị.")
    return data
