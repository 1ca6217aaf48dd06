"""Vietnamese reasons for per-dossier points, built from reason codes and the dossier's own facts.

Built as templates, one per reason code: a code's text is a list of parts, literal words and the dossier's
facts ("có kết quả " + finished + ", hẹn trả " + due + ": trước hạn"). Each fact is a code into its few
distinct values (days, counts), so a text is built once per distinct combination with Arrow's string
kernels, and the column is a categorical: a few thousand texts for millions of dossiers. A fact that is
missing leaves the reason blank (missing), as pandas' string concatenation did.
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
    """The dossiers' facts a template names, each as codes per row into a few distinct texts (a null text
    where the fact is missing): dates and counts for the whole column once, the other facts for the rows
    asked."""

    def __init__(self, pop: pd.DataFrame, scores: pd.DataFrame, indicator: str):
        self.pop, self.scores, self.ind = pop, scores, indicator
        self._whole: dict[str, tuple[np.ndarray, pa.Array]] = {}

    @staticmethod
    def _day(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
        codes, uniques = pd.factorize(pd.to_datetime(values))
        names = [*pd.DatetimeIndex(uniques).strftime("%d/%m/%Y").tolist(), "(trống)"]
        return np.where(codes < 0, len(names) - 1, codes), pa.array(names, TEXT)

    @staticmethod
    def _distinct(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
        """Codes into the distinct values as text (missing: a null text at the end)."""
        codes, uniques = pd.factorize(values)
        names = pa.array(pd.Series(uniques).astype(str).to_numpy(dtype=object), TEXT, from_pandas=True)
        return np.where(codes < 0, len(names), codes), pa.concat_arrays([names, pa.nulls(1, TEXT)])

    def _count(self, column: str, fill: bool = False) -> tuple[np.ndarray, pa.Array]:
        values = self.pop[column].astype("Int64")
        return self._distinct(values.fillna(0) if fill else values)

    WHOLE: dict[str, Callable] = {
        "fin": lambda f: f._day(f.pop["finished_day"]),
        "due": lambda f: f._day(f.pop["due_day"]),
        "step_fin": lambda f: f._day(f.scores[f"{f.ind}_step_finished"]),
        "step_due": lambda f: f._day(f.scores[f"{f.ind}_step_due"]),
        "contacts": lambda f: f._count("contacts"),
        "applicant": lambda f: f._count("contacts_applicant", fill=True),
        "effective": lambda f: f._count("contacts_eff"),
        "agencies": lambda f: f._count("agencies_val"),
    }
    #: facts shown as pandas' ``astype(str)`` shows them (a missing value stays missing)
    AS_IS = {"untrue": ("pop", "untrue_complaints"), "conduct": ("pop", "conduct_complaints"),
             "effective_as_is": ("pop", "contacts_eff"), "agencies_as_is": ("pop", "agencies_val"),
             "override": ("scores", "{ind}_override")}

    def get(self, name: str, rows: np.ndarray) -> tuple[np.ndarray, pa.Array]:
        if name in self.AS_IS:
            where, column = self.AS_IS[name]
            frame = getattr(self, where)
            column = column.format(ind=self.ind)
            values = frame[column] if column in frame else pd.Series("", index=frame.index)
            return self._distinct(values.iloc[rows])
        if name not in self._whole:
            self._whole[name] = self.WHOLE[name](self)
        codes, names = self._whole[name]
        return codes[rows], names


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


def _alternate(parts: list) -> list:
    """Parts as literal, fact, literal, fact, …: adjacent literals merged, empty literals between facts."""
    out: list = [""]
    for part in parts:
        if not isinstance(part, Fact):
            out[-1] += part
        else:
            out.extend([part, ""])
    return out


def _fill(parts: list, facts: Facts, rows: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """One code's template for its ``rows``: per row an index into the distinct texts, and those texts
    (each built once, from the first row with that combination of facts)."""
    parts = _alternate(parts)
    named = {p: facts.get(p, rows) for p in parts[1::2]}
    key = np.zeros(len(rows), dtype=np.int64)
    for codes, names in named.values():
        key = pd.factorize(key * len(names) + codes)[0]  # stays below len(rows): no overflow
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    args = [pa.scalar(p, TEXT) if i % 2 == 0 else named[p][1].take(pa.array(named[p][0][first]))
            for i, p in enumerate(parts)]
    if len(args) == 1:  # literal text only
        return inverse, pa.array([parts[0]], TEXT)
    return inverse, pc.binary_join_element_wise(*args, pa.scalar("", TEXT))


def reason_texts(measure: str, codes: pd.Series, facts: Facts) -> pd.Categorical:
    """Every dossier's reason for one indicator, as a categorical: each code's template filled once per
    distinct combination of its facts; a reason with a missing fact is missing."""
    index, names = _codes(codes)
    out = np.full(len(index), -1, dtype=np.int64)
    texts, offset = [], 0
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(len(names) + 1))
    for k, name in enumerate(names):
        rows = order[bounds[k]:bounds[k + 1]]
        if len(rows):
            inverse, distinct = _fill(template(measure, name), facts, rows)
            out[rows] = inverse + offset
            texts.append(distinct)
            offset += len(distinct)
    if not texts:
        return pd.Categorical.from_codes([], categories=pd.Index([], dtype=STR))
    merged, uniques = pd.factorize(pd.Series(pd.array(pa.concat_arrays(texts), dtype=STR)))  # same text twice
    codes = np.where(out < 0, -1, merged[np.maximum(out, 0)])
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=STR), validate=False)


def dossier_reasons(pop: pd.DataFrame, scores: pd.DataFrame, indicators) -> pd.DataFrame:
    """``iN_reason`` columns for every per-dossier indicator: categoricals of text (a few thousand distinct
    reasons among millions of dossiers)."""
    out = pd.DataFrame(index=pop.index)
    for ind in indicators:
        facts = Facts(pop, scores, ind.code)
        out[f"{ind.code}_reason"] = pd.Series(reason_texts(ind.measure, scores[f"{ind.code}_code"], facts),
                                              index=pop.index)
    return out
