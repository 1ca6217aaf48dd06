"""Quarter after quarter, and the year: the trend of a profile's graded quarters (``sources``, ``series``), its
output folder (``outputs``), and the annual result (``annual``, ``regrade``).

``make_trend(profile, start, end)`` is the one call the command line (``tthc trend``) and the notebook
(``tthc.notebook_trend``) make; ``make_year(profile, year)`` the one ``tthc year`` makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tthc.quarter import Quarter
from tthc.run.trend.numbers import TrendInputError


@dataclass(frozen=True)
class TrendRun:
    """A trend made: its tables (``trend``) and the folder written (``None`` when nothing was written)."""

    trend: object
    out_dir: Path | None


def make_trend(profile: str | None, start: str | Quarter, end: str | Quarter, data_dir: str | Path | None = None,
               quarters_dir: str | Path | None = None, out_dir: str | Path | None = None,
               write: bool = True) -> TrendRun:
    """Collect the quarters (grading now those with data but no output folder), build the trend and, with
    ``write``, publish its folder (by default ``outputs/<profile>/trend-<from>-<to>``). No graded quarter in
    the range is an error (exit 2, nothing written)."""
    from tthc.run.trend import outputs, series, sources

    first, last = (q if isinstance(q, Quarter) else Quarter.parse(str(q)) for q in (start, end))
    collected = sources.collect(profile, first, last, data_dir, quarters_dir)
    if not collected.quarters:
        raise TrendInputError(
            f"Không có quý nào đã chấm hoặc có dữ liệu từ {first} đến {last} (profile '{collected.name}'): "
            + "; ".join(f"{m.quarter}: {m.reason}" for m in collected.missing) + ".")
    trend = series.build(collected)
    if not write:
        return TrendRun(trend, None)
    target = Path(out_dir).expanduser().resolve() if out_dir else outputs.trend_dir(collected.name, first, last)
    data = collected.data_dir.resolve()
    if target == data or data in target.parents:
        raise TrendInputError(f"Thư mục kết quả {target} không được nằm trong thư mục dữ liệu {data}.")
    return TrendRun(trend, outputs.publish(outputs.render(trend, first, last), target))


@dataclass(frozen=True)
class YearRun:
    """A year made: its tables (``year``), the folder written (``None`` when nothing was) and the report's
    warnings."""

    year: object
    out_dir: Path | None
    warnings: tuple[str, ...] = ()


def make_year(profile: str | None, year: int, method: str | None = None, data_dir: str | Path | None = None,
              quarters_dir: str | Path | None = None, out_dir: str | Path | None = None,
              allow_missing: bool = False, pdf: bool = True, write: bool = True, reuse: object = None) -> YearRun:
    """The annual result of ``year`` (``tthc.run.trend.annual``) and, with ``write``, its folder (by default
    ``outputs/<profile>/<year>``) with the annual report. ``method``: ``annual_method`` for this run (else the
    profile's, else ``mean_of_quarters``). A quarter of the year without results or data is an error unless
    ``allow_missing``; a year without any is always one (exit 2, nothing written). ``reuse``: a trend already
    made over exactly the year's four quarters (the notebook's), used instead of collecting them again."""
    from tthc import PROJECT_ROOT
    from tthc.run.resolve import OUTPUTS
    from tthc.run.trend import annual, outputs, series, sources, yearly

    if not isinstance(year, int) or not 1900 <= year <= 2200:
        raise TrendInputError(f"Năm '{year}' không hợp lệ: cần một năm dạng 2021.")
    quarters = annual.year_quarters(year)
    done = getattr(reuse, "collected", None)
    covered = sorted([*(q.quarter for q in done.quarters), *(m.quarter for m in done.missing)]) if done else []
    if done is not None and covered == quarters:
        collected = done
    else:
        collected = sources.collect(profile, quarters[0], quarters[-1], data_dir, quarters_dir)
    if not collected.quarters:
        raise TrendInputError(f"Năm {year} chưa có quý nào đã chấm hoặc có dữ liệu (profile '{collected.name}'): "
                              + "; ".join(f"{m.quarter}: {m.reason}" for m in collected.missing) + ".")
    if collected.missing and not allow_missing:
        raise TrendInputError(
            f"Năm {year} chưa đủ bốn quý; thiếu: " + "; ".join(f"{m.quarter} ({m.reason})" for m in collected.missing)
            + ". Chấm các quý còn thiếu, hoặc thêm --allow-missing-quarters để lập kết quả năm từ các quý đã có.")
    method = annual.check_method(method or collected.settings.get("annual_method"))
    built = annual.build_year(series.build(collected), year, method, data_dir, profile)
    if allow_missing and collected.missing:
        built.notes.append("Kết quả năm lập khi chưa đủ bốn quý; thiếu: "
                           + ", ".join(m.quarter.label_vi for m in collected.missing) + ".")
    if not write:
        return YearRun(built, None)
    files, warnings = yearly.render(built, pdf)
    target = Path(out_dir).expanduser().resolve() if out_dir else PROJECT_ROOT / OUTPUTS / collected.name / str(year)
    data = collected.data_dir.resolve()
    if target == data or data in target.parents:
        raise TrendInputError(f"Thư mục kết quả {target} không được nằm trong thư mục dữ liệu {data}.")
    return YearRun(built, outputs.publish(files, target), warnings)
