"""tthc: the quarterly TTHC scoring workbench (TT 01/2018/TT-VPCP, NĐ 61/2018/NĐ-CP Chương V)."""

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

#: openpyxl writes XLSX through lxml when lxml is installed (python-docx brings it) and through its own
#: writer otherwise, and the bytes differ: its own writer always, so the same tables give the same file.
#: Read when openpyxl is first imported; tests/conftest.py and scripts/make_sample.py set it too.
os.environ["OPENPYXL_LXML"] = "False"

try:
    __version__ = version("tthc")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"


def _project_root() -> Path:
    """The project folder (holds parameters/, data/, outputs/): ``TTHC_HOME``, else the checkout this
    package lives in, else the current folder."""
    home = os.environ.get("TTHC_HOME")
    if home:
        return Path(home).resolve()
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "parameters" / "rules").is_dir():
        return checkout
    return Path.cwd()


PROJECT_ROOT = _project_root()


def notebook_run(quarter, profile=None, data_dir=None, out_dir=None, policies=None, rules=None, *, show=True):
    """The run of a notebook's parameters cell, resolved exactly as the command line resolves it
    (``tthc.run.resolve``), shown as a one-line banner unless ``show`` is false."""
    from tthc.run.pipeline import prepare

    run = prepare(quarter, profile, data_dir, out_dir, policies, rules)
    if show:
        from IPython.display import Markdown, display

        display(Markdown(f"**{run.quarter.label_vi}** · cấu hình `{run.name}` · bộ quy tắc `{run.rules.id}` · "
                         f"dữ liệu `{run.data_dir}` · kết quả `{run.out_dir}`"))
    return run


def notebook_trend(profile=None, from_quarter=None, to_quarter=None, data_dir=None, quarters_dir=None, out_dir=None,
                   *, write=True, show=True):
    """The trend of the trend notebook's parameters cell, made exactly as ``tthc trend`` makes it
    (``tthc.run.trend.make_trend``: quarters without an output folder are graded now from their data), shown
    as a one-line banner unless ``show`` is false. With ``write``, its folder is written as the command writes it."""
    from tthc.run.trend import make_trend

    made = make_trend(profile, from_quarter, to_quarter, data_dir, quarters_dir, out_dir, write=write)
    if show:
        from IPython.display import Markdown, display

        trend = made.trend
        first, last = trend.quarters[0].quarter, trend.quarters[-1].quarter
        now = ", ".join(q.label_vi for q in trend.graded_now) or "không"
        where = f" · kết quả `{made.out_dir}`" if made.out_dir else ""
        display(Markdown(f"**Từ {first.label_vi} đến {last.label_vi}** · profile `{trend.name}` · "
                         f"{len(trend.quarters)} quý có kết quả · chấm lại trong bộ nhớ: {now}{where}"))
    return made
