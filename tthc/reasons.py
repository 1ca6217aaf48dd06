"""Vietnamese reasons for per-dossier points, built from reason codes and the dossier's own facts.

Built as templates, one per reason code: a code's text is a list of parts, literal words and the dossier's
facts ("có kết quả " + finished + ", hẹn trả " + due + ": trước hạn"), and the parts are joined for all the
dossiers of that code at once with Arrow's string kernels. Dates are formatted once per distinct day. A fact
that is missing leaves the reason blank, as pandas' string concatenation did.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT = pa.large_string()
try:  # pandas' Arrow-backed ``str`` (pandas 3; ``pyarrow_numpy`` in pandas 2)
    STR = pd.StringDtype("pyarrow", na_value=np.nan)
except TypeError:  # pragma: no cover - pandas 2
    STR = pd.StringDtype("pyarrow_numpy")

TIMING_MEASURES = ("completion_timing", "conduct", "step_timing")


class Fact(str):
    """A template part that names one of the dossier's facts (``Facts``), not literal text."""


FIN, DUE, STEP_FIN, STEP_DUE = Fact("fin"), Fact("due"), Fact("step_fin"), Fact("step_due")
CONTACTS, APPLICANT, EFFECTIVE, AGENCIES = Fact("contacts"), Fact("applicant"), Fact("effective"), Fact("agencies")
UNTRUE, CONDUCT, OVERRIDE = Fact("untrue"), Fact("conduct"), Fact("override")
EFFECTIVE_AS_IS, AGENCIES_AS_IS = Fact("effective_as_is"), Fact("agencies_as_is")
WHOLE = "Không có dữ liệu từng bước: bước của đơn vị là toàn bộ hồ sơ; "


def day_texts(values: pd.Series, fmt: str, missing: str | None = None) -> pa.Array:
    """Dates as text (each distinct day formatted once); ``missing`` where there is no date (else null)."""
    codes, uniques = pd.factorize(pd.to_datetime(values))
    names = pd.DatetimeIndex(uniques).strftime(fmt).tolist()
    if missing is not None:
        names.append(missing)
        codes = np.where(codes < 0, len(names) - 1, codes)
    return pa.array(names, TEXT).take(pa.array(codes, mask=codes < 0))


def text_series(values: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow text array as a pandas ``str`` Series (no copy)."""
    return pd.Series(pd.array(values, dtype=STR), index=index)


def iso_days(values: pd.Series) -> pd.Series:
    """``values.dt.strftime("%Y-%m-%d")``, each distinct day formatted once; blank (NaN) without a date."""
    return text_series(day_texts(values, "%Y-%m-%d"), values.index)


def _timing(code: str, fin: Fact, due: Fact, done: str = "có kết quả") -> list:
    """The parts of 'có kết quả 03/05/2021, hẹn trả 05/05/2021: trước hạn' and the like."""
    parts: list = []
    for key, word in (("late", "sau hạn"), ("before", "trước hạn"), ("on_time", "đúng hạn")):
        if key in code:
            parts = [f"{done} ", fin, ", hẹn trả ", due, ": " + word]
    if "open_overdue" in code:
        parts = [f"chưa {done} ở cuối kỳ, hẹn trả ", due, " đã quá hạn: tính trễ hạn"]
    return parts


def template(measure: str, code: str) -> list:
    """A reason code's text as parts: literal strings and ``Fact``s."""
    parts: list = []
    if measure in TIMING_MEASURES:
        parts = _timing(code.replace("whole_", ""), FIN, DUE)
    if measure == "step_timing":
        if code.startswith("whole_"):
            parts = [WHOLE, *parts]
        if code.startswith("step_"):
            parts = ["Bước của chính đơn vị (tệp steps): ", *_timing(code, STEP_FIN, STEP_DUE, "hoàn thành")]
        if code == "no_steps_excluded":
            parts = ["Không có dữ liệu từng bước; chính sách loại chỉ số này."]
    elif measure == "conduct":
        if code.startswith("late_no_complaint"):
            parts = [*parts, "; không có phản ánh nhưng trễ hạn nên không đạt điều kiện 2 hoặc 1 điểm"]
        if "_untrue" in code:
            parts = [*parts, "; phản ánh ", UNTRUE, " đã xác minh không đúng sự thật, không tính"]
        if code.endswith("_nofile"):
            parts = [*parts, " (không có tệp complaints: chỉ xét thời hạn)"]
        if code == "complaint":
            parts = ["Có phản ánh về thái độ, nhũng nhiễu: ", CONDUCT]
    elif measure == "effective_contacts":
        parts = ["Số lần phải bổ sung ", CONTACTS, ", do người nộp ", APPLICANT, ": tính ", EFFECTIVE, " lần"]
        if code == "contacts_survey":
            parts = ["Theo phiếu khảo sát: ", EFFECTIVE_AS_IS, " lần liên hệ"]
    elif measure == "agencies_contacted":
        parts = ["Phải liên hệ ", AGENCIES, " cơ quan"]
        if code.startswith("agencies_derived"):
            parts = ["Không có cột số cơ quan: ", AGENCIES_AS_IS, " cơ quan (suy từ số lần bổ sung)"]
        if code.startswith("agencies_survey"):
            parts = ["Theo phiếu khảo sát: ", AGENCIES_AS_IS, " cơ quan"]
        if code.endswith("_field"):
            parts = [*parts, " (có thẩm định thực địa/hội đồng: cộng thêm nơi chủ trì)"]
    if code == "no_info":
        parts = ["Không có thông tin"]
    if code == "override":
        parts = ["Điều chỉnh của người thẩm định: ", OVERRIDE]
    return parts


class Facts:
    """The dossiers' facts a template names, as Arrow text for the rows asked (whole columns cached)."""

    def __init__(self, pop: pd.DataFrame, scores: pd.DataFrame, indicator: str):
        self.pop, self.scores, self.ind = pop, scores, indicator
        self._whole: dict[str, pa.Array] = {}

    def _column(self, name: str) -> pa.Array:
        if name not in self._whole:
            self._whole[name] = self.WHOLE[name](self)
        return self._whole[name]

    def _count(self, column: str, fill: bool = False) -> pa.Array:
        values = self.pop[column].astype("Int64")
        return pa.array((values.fillna(0) if fill else values).array).cast(TEXT)

    def _as_is(self, frame: pd.DataFrame, column: str, rows: np.ndarray) -> pa.Array:
        """``column`` of those rows as pandas writes it with ``astype(str)`` (a missing value stays missing)."""
        values = frame[column] if column in frame else pd.Series("", index=frame.index)
        return pa.array(values.iloc[rows].astype(str).to_numpy(dtype=object), TEXT, from_pandas=True)

    WHOLE: dict[str, Callable] = {
        "fin": lambda f: day_texts(f.pop["finished_day"], "%d/%m/%Y", "(trống)"),
        "due": lambda f: day_texts(f.pop["due_day"], "%d/%m/%Y", "(trống)"),
        "step_fin": lambda f: day_texts(f.scores[f"{f.ind}_step_finished"], "%d/%m/%Y", "(trống)"),
        "step_due": lambda f: day_texts(f.scores[f"{f.ind}_step_due"], "%d/%m/%Y", "(trống)"),
        "contacts": lambda f: f._count("contacts"),
        "applicant": lambda f: f._count("contacts_applicant", fill=True),
        "effective": lambda f: f._count("contacts_eff"),
        "agencies": lambda f: f._count("agencies_val"),
    }
    AS_IS = {"untrue": ("pop", "untrue_complaints"), "conduct": ("pop", "conduct_complaints"),
             "effective_as_is": ("pop", "contacts_eff"), "agencies_as_is": ("pop", "agencies_val"),
             "override": ("scores", "{ind}_override")}

    def get(self, name: str, rows: np.ndarray, everyone: bool) -> pa.Array:
        if name in self.AS_IS:
            where, column = self.AS_IS[name]
            return self._as_is(getattr(self, where), column.format(ind=self.ind), rows)
        whole = self._column(name)
        return whole if everyone else whole.take(pa.array(rows))


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's code as an index into the distinct codes (as text, ``astype(str)`` would give them)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        names = [str(c) for c in values.cat.categories]
        if (codes < 0).any():
            names.append("nan")
            codes = np.where(codes < 0, len(names) - 1, codes)
        return codes, names
    codes, uniques = pd.factorize(values.astype(str), use_na_sentinel=False)
    return codes, ["nan" if pd.isna(u) else str(u) for u in uniques]


def _join(parts: list, facts: Facts, rows: np.ndarray, n: int) -> pa.Array:
    everyone = len(rows) == n
    args = [pa.scalar(p, TEXT) if i % 2 == 0 else facts.get(p, rows, everyone) for i, p in enumerate(parts)]
    joined = pc.binary_join_element_wise(*args, pa.scalar("", TEXT)) if args else pa.scalar("", TEXT)
    if isinstance(joined, pa.Scalar):  # literal text only
        return pa.array([joined.as_py()], TEXT).take(pa.array(np.zeros(len(rows), dtype=np.int64)))
    return joined


def _alternate(parts: list) -> list:
    """Parts as literal, fact, literal, fact, …: adjacent literals merged, empty literals between facts."""
    out: list = [""]
    for part in parts:
        if not isinstance(part, Fact):
            out[-1] += part
        else:
            out.extend([part, ""])
    return out


def reason_texts(measure: str, codes: pd.Series, facts: Facts) -> pa.Array:
    """Every dossier's reason for one indicator: each code's template filled for its rows, put back in order."""
    index, names = _codes(codes)
    n = len(index)
    if n == 0:
        return pa.array([], TEXT)
    pieces, positions = [], []
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(len(names) + 1))
    for k, name in enumerate(names):
        rows = order[bounds[k]:bounds[k + 1]]
        if len(rows):
            pieces.append(_join(_alternate(template(measure, name)), facts, rows, n))
            positions.append(rows)
    if len(pieces) == 1:
        return pieces[0]
    values = pa.concat_arrays(pieces)
    return values.take(pa.array(np.argsort(np.concatenate(positions), kind="stable")))


def dossier_reasons(pop: pd.DataFrame, scores: pd.DataFrame, indicators) -> pd.DataFrame:
    """``iN_reason`` columns for every per-dossier indicator (pandas ``str``, Arrow-backed)."""
    out = pd.DataFrame(index=pop.index)
    for ind in indicators:
        facts = Facts(pop, scores, ind.code)
        out[f"{ind.code}_reason"] = text_series(reason_texts(ind.measure, scores[f"{ind.code}_code"], facts),
                                                pop.index)
    return out
