"""Per-dossier and per-petition facts, computed once (vectorised) and read by every component.

Readings (DOMAIN_2025.md, to the letter where it speaks):

- dates compare as calendar days; "received in the period" = received on or between its first and last day;
  N = the unit's dossiers received in the period;
- "on time" (2.1) = finished on or before the due date by the period's last day, or open at the period's end
  (no result by its last day) and due on or after that day ("not yet due"). A result dated after the period's
  end did not exist at its end: such a dossier is open at the end;
- a petition is in scope when received in the period; on time = answered on or before its due date by the
  period's end, or open at the end and not yet due. A petition in scope without a due date stays in 6.1's and
  6.2's denominator (it was received) and is not on time (neither condition can hold without a due date), with
  a warning; as a dossier of N without a due date is not on time in 2.1;
- 6.2 counts a petition once: in scope, on time, not rated unsatisfied and not re-raised;
- 6.3: a dossier of N is satisfied when it is on time (2.1) and no petition row of the complaints file names
  it (whatever the petition's date) and its rating is not unsatisfied. Ratings: only "unsatisfied" matters;
  a blank rating is not unsatisfied; a label that is neither is a warning and is read as not unsatisfied;
- an absent column is "no information": the components that need it are missing (``present``); a blank
  boolean cell is false.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tthc.input.findings import Findings
from tthc.input.values import parse_bool, parse_channel, parse_date, unreadable
from tthc.text import fold

from .wording import day_vi

ROW = "_row"
FILE = "_file"
ONLINE = "truc_tuyen"
#: The dossiers' boolean columns of DATA_CONTRACT v2.
DOSSIER_FLAGS = ("synced_on_time", "fee_required", "paid_online", "e_result", "digitised", "data_reused",
                 "data_store_linked", "population_data_used")
PETITION_FLAGS = ("rated_unsatisfied", "re_raised", "about_conduct", "verified_untrue", "prolonged")
#: Folded rating labels: unsatisfied, and the labels known to be something else.
UNSATISFIED = {"khong hai long", "rat khong hai long", "chua hai long", "khong hai long lam", "unsatisfied",
               "dissatisfied", "very dissatisfied"}
NOT_UNSATISFIED = {"hai long", "rat hai long", "binh thuong", "tam hai long", "chap nhan duoc", "satisfied",
                   "very satisfied", "neutral", "chua danh gia", "khong danh gia"}

#: Why a dossier is or is not in N, and how it stood at the period's end (codes of ``Facts.status``).
STATUS_TEXT = {
    "unknown_unit": "đơn vị không có trong units.csv: không tính",
    "no_received": "thiếu ngày tiếp nhận: không tính",
    "outside": "tiếp nhận ngoài kỳ: không thuộc N",
    "early": "có kết quả trước hạn",
    "on_due": "có kết quả đúng ngày hẹn trả",
    "late": "có kết quả sau hạn",
    "open_not_due": "chưa có kết quả đến hết kỳ, chưa đến hạn",
    "open_overdue": "chưa có kết quả đến hết kỳ, đã quá hạn",
    "no_due": "thiếu ngày hẹn trả: không xác định được đúng hạn",
    "unreadable_finish": "ngày có kết quả không đọc được: không tính vào 2.1 và 6.3",
}


@dataclass(frozen=True)
class Facts:
    """What the components count from: one row per dossier and per petition, with the unit's slot.

    Slots: 0 … U-1 are the units (units.csv order), U is the province (every unit pooled)."""

    unit_ids: tuple[str, ...]
    start: np.datetime64
    end: np.datetime64
    dossiers: pd.DataFrame
    dossier_present: frozenset[str]
    petitions: pd.DataFrame | None
    petition_present: frozenset[str]
    units: pd.DataFrame

    @property
    def slots(self) -> int:
        return len(self.unit_ids) + 1

    def count(self, mask: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Per slot: how many rows of ``mask`` each unit has, then the province (all units)."""
        # bin 0 collects the rows of unknown units (code -1) and is dropped
        counts = np.bincount(codes + 1, weights=mask, minlength=len(self.unit_ids) + 1)[1:]
        per_unit = np.rint(counts).astype(np.int64)
        return np.append(per_unit, per_unit.sum())

    def count_dossiers(self, mask: np.ndarray) -> np.ndarray:
        return self.count(mask, self.dossiers["slot"].to_numpy())

    def count_petitions(self, mask: np.ndarray) -> np.ndarray:
        return self.count(mask, self.petitions["slot"].to_numpy())

    def of_slot(self, frame: pd.DataFrame, slot: int) -> np.ndarray:
        codes = frame["slot"].to_numpy()
        return codes >= 0 if slot == len(self.unit_ids) else codes == slot


def _days(series: pd.Series) -> np.ndarray:
    """Calendar days (``datetime64[D]``), NaT kept; text cells are parsed (ISO or day-first)."""
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        series, _bad = parse_date(series)
    return pd.to_datetime(series).to_numpy().astype("datetime64[D]")


def flag_values(series: pd.Series) -> np.ndarray:
    """A boolean column as a numpy array: blank (and a value the loader already blanked) is false."""
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        series, _bad = parse_bool(series)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.fillna(0).to_numpy(dtype="float64") != 0
    return series.fillna(False).to_numpy(dtype=bool)


def _slots(unit_col: pd.Series, unit_ids: tuple[str, ...]) -> np.ndarray:
    return pd.Index(list(unit_ids), dtype=object).get_indexer(unit_col.astype(object)).astype(np.int64)


def _column(frame: pd.DataFrame, name: str, default: object = None) -> pd.Series | object:
    """A column as it is (no conversion of its text: pandas' string columns stay as they are), on 0…n-1."""
    if name not in frame:
        return default
    return frame[name].reset_index(drop=True)


def dossier_facts(dossiers: pd.DataFrame, unit_ids: tuple[str, ...], start: np.datetime64, end: np.datetime64,
                  named: set[str] | None, findings: Findings) -> tuple[pd.DataFrame, frozenset[str]]:
    """The dossiers' facts (a new frame; the input is not touched) and which facts are known."""
    n = len(dossiers)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["dossier_id"] = _column(dossiers, "dossier_id")
    out["unit_id"] = _column(dossiers, "unit_id")
    out["slot"] = _slots(dossiers["unit_id"], unit_ids)
    out[FILE] = _column(dossiers, FILE, "dossiers")
    out[ROW] = dossiers[ROW].to_numpy() if ROW in dossiers else np.arange(2, n + 2)
    present = set()
    received = _days(dossiers["received_at"])
    due = _days(dossiers["due_at"]) if "due_at" in dossiers else np.full(n, np.datetime64("NaT"), "datetime64[D]")
    finished = (_days(dossiers["finished_at"]) if "finished_at" in dossiers
                else np.full(n, np.datetime64("NaT"), "datetime64[D]"))
    out["received_day"], out["due_day"], out["finished_day"] = received, due, finished
    known_unit = out["slot"].to_numpy() >= 0
    in_n = known_unit & (received >= start) & (received <= end)
    done_by_end = ~np.isnat(finished) & (finished <= end)
    has_due = ~np.isnat(due)
    # a finish date written but unreadable cannot say whether the dossier was on time: it stays in N for the
    # other components and is left out of 2.1 and 6.3 (never read as "no result yet")
    unknown_finish = unreadable(dossiers, "finished_at")
    judged = in_n & ~unknown_finish
    on_time = judged & has_due & ((done_by_end & (finished <= due)) | (~done_by_end & (due >= end)))
    out["in_n"] = in_n
    out["judged"] = judged
    out["on_time"] = on_time
    codes = list(STATUS_TEXT)
    status = np.select(
        [~known_unit, np.isnat(received), ~in_n, unknown_finish, ~has_due, done_by_end & (finished < due),
         done_by_end & (finished == due), done_by_end, due >= end],
        [codes.index(c) for c in ("unknown_unit", "no_received", "outside", "unreadable_finish", "no_due", "early",
                                  "on_due", "late", "open_not_due")],
        default=codes.index("open_overdue"))
    out["status"] = pd.Categorical.from_codes(status, categories=codes)
    if {"due_at", "finished_at"} <= set(dossiers.columns):
        present.add("on_time")
    if "channel" in dossiers:
        channel = dossiers["channel"]
        if not channel.dropna().isin(["truc_tiep", "truc_tuyen", "bcci"]).all():
            channel, _bad = parse_channel(channel.astype(object))
        out["online"] = channel.eq(ONLINE).fillna(False).to_numpy(dtype=bool)
        present.add("online")
    for flag in DOSSIER_FLAGS:
        if flag in dossiers:
            out[flag] = flag_values(dossiers[flag])
            present.add(flag)
    for text in ("procedure", "official"):
        if text in dossiers:
            out[text] = _column(dossiers, text)
            present.add(text)
    if "procedure" in present:
        out["procedure_code"] = pd.factorize(out["procedure"])[0]  # -1 for a blank cell
    if "rating" in dossiers:
        out["rating_unsatisfied"] = _ratings(dossiers, out, findings)
        present.add("rating")
    if named is not None:
        out["named"] = out["dossier_id"].isin(named).to_numpy(dtype=bool)
        present.add("named")
    if {"on_time", "rating", "named"} <= present:
        out["satisfied"] = on_time & ~out["named"].to_numpy() & ~out["rating_unsatisfied"].to_numpy()
        present.add("satisfied")
    return out, frozenset(present)


def _ratings(dossiers: pd.DataFrame, out: pd.DataFrame, findings: Findings) -> np.ndarray:
    raw = dossiers["rating"]
    codes, labels = pd.factorize(raw)  # each distinct label folded once (exports repeat a few labels)
    keys = [fold(v) for v in labels]
    bad_label = np.array([k not in UNSATISFIED and k not in NOT_UNSATISFIED and k != "" for k in keys] + [False])
    unhappy_label = np.array([k in UNSATISFIED for k in keys] + [False])
    unsatisfied = unhappy_label[codes]  # code -1 (blank) reads the appended False
    unknown = bad_label[codes]
    rows = np.flatnonzero(unknown)
    if len(rows):
        files, lines, values = out[FILE].to_numpy(), out[ROW].to_numpy(), raw.to_numpy()

        def build():
            from tthc.input.findings import WARNING, Finding, show

            return [Finding(WARNING, "nd118_rating_unknown", str(files[i]), int(lines[i]), "rating", show(values[i]),
                            "Đánh giá của người nộp không rõ là 'Không hài lòng' hay không; coi là không phải "
                            "'Không hài lòng' (chỉ tiêu 6.3).", "Ghi 'Rất hài lòng', 'Hài lòng', 'Bình thường' "
                            "hoặc 'Không hài lòng'.") for i in rows]

        findings.defer(len(rows), build)
    return unsatisfied


def petition_facts(complaints: pd.DataFrame, unit_ids: tuple[str, ...], start: np.datetime64, end: np.datetime64,
                   findings: Findings) -> tuple[pd.DataFrame, frozenset[str]]:
    """The petitions' facts (a new frame) and which are known; a finding for each one left out."""
    n = len(complaints)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["complaint_id"] = _column(complaints, "complaint_id")
    out["unit_id"] = _column(complaints, "unit_id")
    out["dossier_id"] = _column(complaints, "dossier_id")
    out["slot"] = _slots(complaints["unit_id"], unit_ids)
    out[FILE] = _column(complaints, FILE, "complaints")
    out[ROW] = complaints[ROW].to_numpy() if ROW in complaints else np.arange(2, n + 2)
    present = {"petitions"}
    nat = np.full(n, np.datetime64("NaT"), "datetime64[D]")
    received = _days(complaints["received_at"])
    due = _days(complaints["due_at"]) if "due_at" in complaints else nat
    answered = _days(complaints["answered_at"]) if "answered_at" in complaints else nat
    in_scope = (out["slot"].to_numpy() >= 0) & (received >= start) & (received <= end)
    # a due or answer date written but unreadable cannot say whether the petition was on time: left out of 6.1, 6.2
    unknown = unreadable(complaints, "due_at") | unreadable(complaints, "answered_at")
    judged = in_scope & ~unknown
    done_by_end = ~np.isnat(answered) & (answered <= end)
    on_time = judged & ~np.isnat(due) & ((done_by_end & (answered <= due)) | (~done_by_end & (due >= end)))
    out["received_day"], out["due_day"], out["answered_day"] = received, due, answered
    out["in_scope"], out["judged"], out["on_time"] = in_scope, judged, on_time
    for i in np.flatnonzero(in_scope & unknown):
        findings.warning("nd118_petition_unreadable", "Phản ánh, kiến nghị có hạn hoặc ngày trả lời không đọc được: "
                         "không xác định được đúng hạn, không tính vào chỉ tiêu 6.1 và 6.2.",
                         file=str(out.at[i, FILE]), row=out.at[i, ROW], column="due_at/answered_at",
                         value=out.at[i, "complaint_id"])
    present |= {c for c in ("due_at", "answered_at") if c in complaints}
    if {"due_at", "answered_at"} <= present:
        present.add("on_time")
    for flag in PETITION_FLAGS:
        if flag in complaints:
            out[flag] = flag_values(complaints[flag])
            present.add(flag)
    if {"on_time", "rated_unsatisfied", "re_raised"} <= present:
        out["satisfied"] = on_time & ~out["rated_unsatisfied"].to_numpy() & ~out["re_raised"].to_numpy()
        present.add("satisfied")
    for i in np.flatnonzero(judged & np.isnat(due)):
        if "due_at" in complaints:
            findings.warning("nd118_petition_no_due", "Phản ánh, kiến nghị tiếp nhận trong kỳ không có hạn trả lời: "
                             "không xác định được đúng hạn, tính là không đúng hạn ở chỉ tiêu 6.1 và 6.2.",
                             file=str(out.at[i, FILE]), row=out.at[i, ROW], column="due_at",
                             value=out.at[i, "complaint_id"])
    for i in np.flatnonzero((out["slot"].to_numpy() >= 0) & ~in_scope):
        findings.info("nd118_petition_outside", f"Phản ánh, kiến nghị tiếp nhận ngày {day_vi(received[i])}, ngoài kỳ: "
                      "không tính vào nhóm 6 (vẫn dùng để xét hồ sơ bị phản ánh ở chỉ tiêu 6.3).",
                      file=str(out.at[i, FILE]), row=out.at[i, ROW], column="received_at",
                      value=out.at[i, "complaint_id"])
    return out, frozenset(present)
