"""Explain a grade: the derivation tree of a unit, an official or a dossier, down to the input rows.

The tree reads top-down as the grade was formed bottom-up: the result and its band (bounds, citation)
← the total (and how it was formed) ← each indicator (where it came from, citation) ← the dossiers, steps,
complaints or evidence rows with their points and reasons ← the input file and row each fact came from.
The same tree renders as Vietnamese text (``render_text``) and as JSON (``to_json``); ``check_arithmetic``
re-adds its numbers (indicator sums and counts → rounded means → total → band) and lists any mismatch.

Nothing here grades: every number is read from a :class:`tthc.schemes.tt01.engine.Result`.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
from babel.numbers import format_decimal

from tthc.errors import TthcError
from tthc.input.loading import FILE
from tthc.input.reading import ROW
from tthc.input.values import ONLINE
from tthc.parameters.ruleset import Band, Grading, Indicator
from tthc.rounding import round_one
from tthc.schemes.tt01.grading import IndicatorScore, total_of
from tthc.schemes.tt01.population import overdue_open
from tthc.schemes.tt01.unit_measures import complaint_status
from tthc.text import fold

LOCALE = "vi_VN"

#: How each indicator source is named to a reader.
SOURCE_LABELS = {
    "dossiers": "tính từ hồ sơ",
    "evidence": "theo minh chứng",
    "complaints": "theo phản ánh, kiến nghị",
    "evidence+dossiers": "theo minh chứng và hồ sơ",
    "self_accepted": "CHẤP NHẬN ĐIỂM TỰ CHẤM, không có minh chứng",
    "override": "ĐIỀU CHỈNH của người thẩm định",
    "excluded": "KHÔNG TÍNH: không đủ thông tin",
}
#: The unit_evidence columns each unit measure reads (shown beside the evidence row).
EVIDENCE_FIELDS = {
    "one_stop_desk": ("desk_share", "desk_full_share"),
    "publication": ("posted", "electronic"),
    "online_service": ("dvc34_share",),
}
STEP_WORDS = {
    "before": "trước hạn",
    "on_time": "đúng hạn",
    "late": "sau hạn",
    "open": "chưa xong, chưa đến hạn",
    "open_overdue": "chưa xong, đã quá hạn cuối kỳ: tính trễ hạn",
}
COMPLAINT_WORDS = {
    "on_time": "trả lời đúng hạn",
    "late": "không trả lời đúng hạn",
    "pending": "chưa trả lời, chưa đến hạn: không tính vào tỷ lệ",
    "no_due": "không có hạn trả lời: không tính vào tỷ lệ",
    "unreadable": "hạn hoặc ngày trả lời không đọc được: không tính vào tỷ lệ",
}


class AuditError(TthcError, ValueError):
    """A unit, official or dossier that cannot be found (the message says what is close)."""


# --------------------------------------------------------------------------------------------- the tree


@dataclass
class Node:
    """One step of a derivation. ``source`` is set on leaves that are input rows: file and row."""

    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] | None = None
    children: list[Node] = field(default_factory=list)

    def add(self, child: Node | None) -> Node | None:
        if child is not None:
            self.children.append(child)
        return child

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> list[Node]:
        return [n for n in self.walk() if not n.children]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "data": _plain(self.data)}
        if self.source is not None:
            out["source"] = _plain(self.source)
        out["children"] = [c.to_dict() for c in self.children]
        return out


@dataclass
class Explanation:
    """The derivation trees of one subject (an official working in two units has two trees)."""

    subject: str  # unit, official, dossier
    key: str
    header: dict[str, Any]
    trees: list[Node]
    grading: dict[str, Grading]  # unit / official, for check_arithmetic
    what_if: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "subject": self.subject,
            "key": self.key,
            "header": _plain(self.header),
            "trees": [t.to_dict() for t in self.trees],
        }
        if self.what_if is not None:
            out["what_if"] = _plain(self.what_if)
        return out


def _plain(value: Any) -> Any:
    """JSON-ready: Decimals become numbers, pandas NA becomes null, tuples lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent >= 0
            else float(value)
        )
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def to_json(explanation: Explanation) -> str:
    return json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------------------------- wording


def num(value: Decimal | int | float | None) -> str:
    """A score in Vietnamese form on one decimal: ``Decimal('11.6')`` → ``11,6``."""
    if value is None:
        return "—"
    return format_decimal(Decimal(str(value)), format="#,##0.0", locale=LOCALE)


def _bound(value: Decimal) -> str:
    return format_decimal(value, locale=LOCALE, decimal_quantization=False)


def _day(value: Any) -> str:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return "(trống)"
    return pd.Timestamp(value).strftime("%d/%m/%Y")


def _cell(value: Any) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, bool) or hasattr(value, "dtype") and str(getattr(value, "dtype", "")) == "bool":
        return "có" if value else "không"
    if isinstance(value, float):
        return format_decimal(Decimal(repr(float(value))), locale=LOCALE, decimal_quantization=False)
    return str(value)


def _true(value: Any) -> bool:
    """A boolean cell: True only when set (blank, NA and absent are not)."""
    return value is not None and not pd.isna(value) and bool(value)


def _points(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def band_bounds(grading: Grading, band: Band, symbol: str = "T") -> tuple[Decimal, Decimal | None, str]:
    """The band's lower bound (inclusive), upper bound (exclusive, None at the top) and their wording."""
    bands = list(grading.bands)
    i = bands.index(band)
    upper = bands[i - 1].min if i > 0 else None
    if upper is None:
        text = f"{symbol} ≥ {_bound(band.min)}"
    elif i == len(bands) - 1 and band.min == 0:
        text = f"{symbol} < {_bound(upper)}"
    else:
        text = f"{_bound(band.min)} ≤ {symbol} < {_bound(upper)}"
    return band.min, upper, text


def _row_leaf(table: str, file: str, row: Any, text: str = "", values: dict | None = None) -> Node:
    row = None if row is None or pd.isna(row) else int(row)
    where = f"{file}, dòng {row}" if row is not None else file
    data = {"table": table}
    if values:
        data["values"] = values
    return Node("input_row", f"{where}{': ' + text if text else ''}", data, {"file": file, "row": row})


def _missing_leaf(table: str, text: str) -> Node:
    return Node("missing_input", text, {"table": table}, {"file": None, "row": None})


# --------------------------------------------------------------------------------------------- context


class _Audit:
    """What the explainers share: the result and its tables, computed once."""

    def __init__(self, result):
        self.r = result
        self.rules = result.rules
        self.rounding = result.policies["rounding"]
        self.scores = result.dossier_scores
        self.points = result.dossier_points
        self.pop = result.population
        self.inputs = result.inputs

    def table(self, name: str) -> pd.DataFrame | None:
        return self.inputs.table(name)

    def label(self, name: str) -> str:
        info = self.inputs.files.get(name)
        return info.label if info else f"{self.r.quarter}/{name}.csv"

    # ---- leaves for one dossier's facts
    def dossier_leaves(self, idx, ind: Indicator) -> list[Node]:
        s = self.scores.loc[idx]
        leaves = [_row_leaf("dossiers", s["source_file"], s["source_row"])]
        p = self.pop.loc[idx]
        code = str(self.points.at[idx, f"{ind.code}_code"])
        if code == "override":
            leaves.append(self.override_leaf("dossier", s["dossier_id"], ind.number, s[f"{ind.code}_reason"]))
        if ind.measure == "effective_contacts" and p.get("contacts_src") == "survey":
            leaves.append(self.survey_leaf(s["dossier_id"], "contacts"))
        if ind.measure == "agencies_contacted" and p.get("agencies_src") == "survey":
            leaves.append(self.survey_leaf(s["dossier_id"], "agencies_contacted"))
        if ind.measure == "conduct":
            for column in ("conduct_complaints", "untrue_complaints"):
                if column in p and not pd.isna(p[column]):
                    leaves.extend(self.complaint_leaves([c.strip() for c in str(p[column]).split(",")]))
        return [leaf for leaf in leaves if leaf is not None]

    def enrich(self, idx, ind: Indicator, code: str, reason: str) -> str:
        """The engine's reason, plus the dates of the complaints that decided a conduct point."""
        if ind.measure != "conduct" or code not in ("complaint",) and "_untrue" not in code:
            return reason
        complaints = self.table("complaints")
        p = self.pop.loc[idx]
        ids = [
            c.strip()
            for col in ("conduct_complaints", "untrue_complaints")
            if col in p and not pd.isna(p[col])
            for c in str(p[col]).split(",")
        ]
        if complaints is None or not ids:
            return reason
        rows = complaints[complaints["complaint_id"].isin(ids)]
        facts = "; ".join(
            f"phản ánh {r['complaint_id']} nhận {_day(r['received_at'])}"
            + (", đã xác minh không đúng sự thật" if _true(r.get("verified_untrue")) else "")
            for _, r in rows.iterrows()
        )
        return f"{reason} ({facts})" if facts else reason

    def survey_leaf(self, did: str, column: str) -> Node | None:
        surveys = self.table("surveys")
        if surveys is None:
            return None
        rows = surveys[(surveys["dossier_id"] == did) & surveys[column].notna()]
        if rows.empty:
            return None
        row = rows.iloc[0]
        return _row_leaf("surveys", row[FILE], row[ROW], f"phiếu {row['form_id']}: {column} = {row[column]}")

    def complaint_leaves(self, ids: list[str]) -> list[Node]:
        complaints = self.table("complaints")
        if complaints is None:
            return []
        rows = complaints[complaints["complaint_id"].isin(ids)]
        return [
            _row_leaf("complaints", r[FILE], r[ROW], f"phản ánh {r['complaint_id']}")
            for _, r in rows.iterrows()
        ]

    def override_leaf(self, scope: str, target: str, number: int, note: str = "") -> Node | None:
        """The overrides row applied: the one the engine's note names ("… dòng N"), else the first match."""
        table = self.table("overrides")
        if table is None:
            return None
        hit = table[
            (table["scope"] == scope)
            & (table["id"] == target)
            & (pd.to_numeric(table["indicator"], errors="coerce") == number)
            & table["reason"].notna()
        ]
        named = re.search(re.escape(self.label("overrides")) + r" dòng (\d+)", note)
        if named is not None and (hit[ROW] == int(named.group(1))).any():
            hit = hit[hit[ROW] == int(named.group(1))]
        if hit.empty:
            return None
        row = hit.iloc[0]
        by = "" if pd.isna(row.get("by")) else f" ({row['by']})"
        return _row_leaf(
            "overrides",
            row[FILE],
            row[ROW],
            f"điều chỉnh = {_cell(row['points'])}: {row['reason']}{by}",
            {"points": row["points"], "reason": row["reason"], "by": row.get("by")},
        )

    def unit_row(self, name: str, uid: str, absent: str, why: str = "") -> tuple[pd.Series | None, Node | None]:
        """The unit's row of a per-unit table, or the leaf saying why there is none."""
        table = self.table(name)
        if table is None:
            return None, _missing_leaf(name, absent)
        rows = table[table["unit_id"] == uid]
        if rows.empty:
            return None, _missing_leaf(name, f"Đơn vị {uid} không có dòng trong {self.label(name)}{why}.")
        return rows.iloc[0], None

    def self_leaf(self, uid: str, number: int | None = None) -> Node:
        row, missing = self.unit_row("self_assessment", uid, "Không có tệp self_assessment (tự chấm).",
                                     ": không nộp tự chấm")
        if row is None:
            return missing
        if number is None:
            return _row_leaf("self_assessment", row[FILE], row[ROW], "kết quả tự chấm")
        code = f"i{number}"
        return _row_leaf(
            "self_assessment",
            row[FILE],
            row[ROW],
            f"tự chấm chỉ số {number} = {num(row[code])}",
            {code: row[code]},
        )

    def evidence_leaf(self, uid: str, ind: Indicator) -> Node | None:
        fields = EVIDENCE_FIELDS.get(ind.measure)
        if fields is None:
            return None
        row, missing = self.unit_row("unit_evidence", uid, "Không có tệp unit_evidence (minh chứng của đơn vị).")
        if row is None:
            return missing
        values = {f: (None if pd.isna(row.get(f)) else row.get(f)) for f in fields}
        text = ", ".join(f"{f} = {_cell(v)}" for f, v in values.items())
        return _row_leaf("unit_evidence", row[FILE], row[ROW], text, values)


# --------------------------------------------------------------------------------------------- units


def find_unit(result, key: str):
    """The unit by id, or by name ignoring case and diacritics (a unique partial name is accepted)."""
    units = result.units
    for test in (
        lambda u: u.unit_id == key,
        lambda u: fold(u.unit_id) == fold(key),
        lambda u: fold(u.unit_name) == fold(key),
    ):
        hits = [u for u in units if test(u)]
        if len(hits) == 1:
            return hits[0]
    partial = [u for u in units if fold(key) in fold(u.unit_name)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = "; ".join(f"{u.unit_id} ({u.unit_name})" for u in partial)
        raise AuditError(f"'{key}' khớp với nhiều đơn vị: {names}. Hãy dùng mã đơn vị.")
    choices = {fold(u.unit_name): u for u in units} | {fold(u.unit_id): u for u in units}
    close = difflib.get_close_matches(fold(key), list(choices), n=3, cutoff=0.5)
    hint = (
        "; có phải là " + ", ".join(f"'{choices[c].unit_name}' ({choices[c].unit_id})" for c in close) + "?"
        if close
        else ""
    )
    raise AuditError(f"Không có đơn vị '{key}' trong units.csv{hint}")


def _header(result) -> dict[str, Any]:
    from tthc import __version__

    rules = result.rules
    defaults = rules.default_policies()
    return {
        "quarter": str(result.quarter),
        "quarter_label": result.quarter.label_vi,
        "period": {"start": result.period.start.isoformat(), "end": result.period.end.isoformat()},
        "rule_set": {"id": rules.id, "title": rules.title, "sha256": rules.sha256},
        "policies": dict(result.policies),
        "non_default_policies": {k: v for k, v in result.policies.items() if defaults.get(k) != v},
        "data_dir": str(result.inputs.data_dir),
        "tool_version": __version__,
    }


def explain_unit(result, key: str) -> Explanation:
    """The derivation of one unit's result (``key``: unit id or name)."""
    unit = find_unit(result, key)
    audit = _Audit(result)
    tree = _unit_tree(audit, unit)
    return Explanation(
        "unit",
        unit.unit_id,
        _header(result),
        [tree],
        {"unit": result.rules.unit_grading, "official": result.rules.official_grading},
    )


def _unit_tree(a: _Audit, u) -> Node:
    rules, grading = a.rules, a.rules.unit_grading
    level = rules.levels[u.level].name if u.level in rules.levels else (u.level or "không rõ cấp")
    data = {
        "unit_id": u.unit_id,
        "unit_name": u.unit_name,
        "level": u.level,
        "result": u.result,
        "dossiers": u.dossiers,
        "total": u.total,
        "self_total": u.self_total,
        "submitted": u.submitted,
        "status": None,
    }
    who = f"{u.unit_name} (mã {u.unit_id}, {level})"
    if u.result == rules.statuses["no_dossiers"]:
        data["status"] = "no_dossiers"
        root = Node(
            "unit_result",
            f"{who}: {u.result} — không có hồ sơ nào thuộc đối tượng chấm điểm trong kỳ "
            f"(population={a.r.policies['population']}); không xếp loại, không tính vào xếp hạng.",
            data,
        )
        _no_dossier_children(a, u, root)
        return root
    total_node = _total_node(a, u.scores, u.total, u.total_note, u.self_scores, grading, u.unit_id)
    band = grading.band_for(u.total)
    low, high, bounds = band_bounds(grading, band)
    data.update(band=band.label, band_min=low, band_max=high, citation=grading.citation)
    if u.result == rules.statuses["not_scored"]:
        data["status"] = "not_scored"
        policy = rules.policies.get("missing_self_assessment")
        cite = f" ({policy.citation})" if policy else ""
        root = Node(
            "unit_result",
            f"{who}: {u.result} — có {u.dossiers} hồ sơ nhưng không nộp kết quả tự chấm; "
            f"chính sách missing_self_assessment={a.r.policies['missing_self_assessment']}{cite}. "
            f"Điểm thẩm định vẫn được tính: {num(u.total)} (nếu xếp loại theo thẩm định: {band.label}, "
            f"{bounds}).",
            data,
        )
        root.add(a.self_leaf(u.unit_id))
        root.add(total_node)
        return root
    self_note = f"; tự chấm {num(u.self_total)}" if u.self_total is not None else ""
    root = Node(
        "unit_result",
        f"{who}: {u.result} — tổng điểm {num(u.total)} thuộc khoảng {bounds} ({grading.citation}){self_note}",
        data,
    )
    root.add(total_node)
    return root


def _no_dossier_children(a: _Audit, u, root: Node) -> None:
    dossiers = a.table("dossiers")
    rows = dossiers[dossiers["unit_id"] == u.unit_id] if dossiers is not None else dossiers
    label = a.label("dossiers")
    if rows is None or rows.empty:
        root.add(_missing_leaf("dossiers", f"Tệp {label} không có dòng nào của đơn vị {u.unit_id}."))
        return
    by_row = {}
    for f in a.r.findings.items:
        if f.file == label and f.row is not None:
            by_row.setdefault(f.row, []).append(f.message)
    for _, row in rows.iterrows():
        why = " ".join(by_row.get(int(row[ROW]), [])) or "không thuộc đối tượng chấm trong kỳ."
        node = root.add(
            Node(
                "dossier",
                f"Hồ sơ {row['dossier_id']}: {why}",
                {"dossier_id": row["dossier_id"], "points": None},
            )
        )
        node.add(_row_leaf("dossiers", row[FILE], row[ROW]))


def _total_node(
    a: _Audit,
    scores: list[IndicatorScore],
    total: Decimal,
    note: str,
    self_scores: dict[int, Decimal | None],
    grading: Grading,
    uid: str,
    official: str | None = None,
) -> Node:
    included = [s for s in scores if s.points is not None]
    excluded = [s.number for s in scores if s.points is None]
    raw = sum((s.points for s in included), Decimal(0))
    rescaled = bool(excluded and included and a.r.policies["missing_indicator"] == "rescale_to_18")
    possible = sum(a.rules.indicator(s.number).max_points for s in included)
    terms = " + ".join(num(s.points) for s in included) or "0"
    if rescaled:
        formed = (
            f"({terms}) = {num(raw)} trên {possible} điểm có thể × {_bound(grading.max_total)}/{possible}"
        )
    else:
        formed = terms
    text = f"Tổng điểm {num(total)} = {formed} ({note})"
    node = Node(
        "total",
        text,
        {
            "total": total,
            "sum": raw,
            "included": [s.number for s in included],
            "excluded": excluded,
            "rescaled": rescaled,
            "possible": possible,
            "max_total": grading.max_total,
            "note": note,
        },
    )
    for s in scores:
        node.add(_indicator_node(a, s, self_scores.get(s.number), uid, official))
    return node


def _indicator_node(a: _Audit, s: IndicatorScore, self_score, uid: str, official: str | None) -> Node:
    ind = a.rules.indicator(s.number)
    how = SOURCE_LABELS.get(s.source, s.source)
    mine = f"; tự chấm {num(self_score)}" if self_score is not None else ""
    reason = s.reason.rstrip(".").removeprefix("Điều chỉnh của người thẩm định: ")
    if s.source == "dossiers":
        what = "lượt tham gia" if ind.params.get("per_participant") and official is None else "hồ sơ"
        reason = f"trung bình {s.points_sum}/{s.dossiers} {what} có thông tin = {num(s.points)}"
    shown = num(s.points) if s.points is not None else "không tính"
    text = f"Chỉ số {ind.number} ({ind.short}): {shown} — {how}: {reason}{mine} [{ind.citation}]"
    node = Node(
        "indicator",
        text,
        {
            "number": ind.number,
            "points": s.points,
            "source": s.source,
            "source_label": how,
            "reason": reason,
            "count": s.dossiers,
            "sum": s.points_sum,
            "self_score": self_score,
            "citation": ind.citation,
            "scope": ind.scope,
        },
    )
    if s.source == "override":
        node.add(a.override_leaf("unit", uid, ind.number, s.reason))
    if ind.scope == "dossier":
        if ind.params.get("per_participant") and official is None:
            _participant_children(a, node, ind, uid)
        else:
            _dossier_children(a, node, ind, uid, official)
    elif s.source == "self_accepted":
        node.add(a.self_leaf(uid, ind.number))
        node.add(a.evidence_leaf(uid, ind))
    elif ind.measure == "complaint_handling":
        _complaint_children(a, node, uid, s)
    else:
        node.add(a.evidence_leaf(uid, ind))
        if ind.measure == "online_service" and s.points is not None and s.source != "override":
            _online_children(a, node, uid)
    if not node.children and s.source == "excluded":
        node.add(_missing_leaf("", "Không có dữ liệu đầu vào cho chỉ số này."))
    return node


def _dossier_children(a: _Audit, node: Node, ind: Indicator, uid: str, official: str | None) -> None:
    rows = a.scores[a.scores["unit_id"] == uid]
    if official is not None:
        rows = rows[rows["official"] == official]
    for idx, s in rows.iterrows():
        pts = _points(s[ind.code])
        code = str(a.points.at[idx, f"{ind.code}_code"])
        reason = a.enrich(idx, ind, code, s[f"{ind.code}_reason"])
        label = f"{pts} điểm" if pts is not None else "không có thông tin, không tính"
        mark = " [ĐIỀU CHỈNH]" if code == "override" else ""
        child = node.add(
            Node(
                "dossier",
                f"Hồ sơ {s['dossier_id']}: {label}{mark} — {reason}",
                {
                    "dossier_id": s["dossier_id"],
                    "points": pts,
                    "reason": reason,
                    "code": code,
                    "override": code == "override",
                },
            )
        )
        for leaf in a.dossier_leaves(idx, ind):
            child.add(leaf)


def _step_reason(code: str, due, finished) -> str:
    word = STEP_WORDS.get(code.replace("step_", ""), code)
    if code == "step_open_overdue":
        return f"bước của đơn vị chưa xong, hạn {_day(due)} đã quá hạn cuối kỳ: tính trễ hạn"
    if code == "step_open":
        return f"bước của đơn vị chưa xong, hạn {_day(due)}: {word}"
    if code == "step_unreadable":
        return f"bước của đơn vị có ngày hoàn thành không đọc được, hạn {_day(due)}: không chấm"
    return f"bước của đơn vị xong {_day(finished)}, hạn {_day(due)}: {word}"


def _participant_children(a: _Audit, node: Node, ind: Indicator, uid: str) -> None:
    parts = a.r.participants
    if parts is None or parts.empty:
        return
    rows = parts[parts["unit_id"] == uid]
    reason_of = dict(zip(a.scores["dossier_id"], a.scores[f"{ind.code}_reason"], strict=True))
    idx_of = dict(zip(a.scores["dossier_id"], a.scores.index, strict=True))
    for _, p in rows.iterrows():
        pts = _points(p["points"])
        did = p["dossier_id"]
        code = str(p["code"])
        own_code = str(a.points.at[idx_of[did], f"{ind.code}_code"]) if did in idx_of else ""
        if p["role"] == "resolving" and (own_code == "override" or not code.startswith("step_")):
            reason, code = reason_of.get(did, ""), own_code
        else:
            reason = _step_reason(code, p["due_day"], p["finished_day"])
        role = "đơn vị giải quyết" if p["role"] == "resolving" else "đơn vị phối hợp"
        label = f"{pts} điểm" if pts is not None else "không có thông tin, không tính"
        mark = " [ĐIỀU CHỈNH]" if code == "override" else ""
        child = node.add(
            Node(
                "participant",
                f"Hồ sơ {did} ({role}): {label}{mark} — {reason}",
                {
                    "dossier_id": did,
                    "role": p["role"],
                    "points": pts,
                    "reason": reason,
                    "code": code,
                    "override": code == "override",
                },
            )
        )
        table = "steps" if p["source_file"] == a.label("steps") and "steps" in a.inputs.files else "dossiers"
        child.add(_row_leaf(table, p["source_file"], p["source_row"]))
        if code == "override":
            child.add(a.override_leaf("dossier", did, ind.number, reason))
        if table == "steps" and did in idx_of:  # the dossier itself, for the reader
            s = a.scores.loc[idx_of[did]]
            child.add(_row_leaf("dossiers", s["source_file"], s["source_row"], f"hồ sơ {did}"))


def _complaint_children(a: _Audit, node: Node, uid: str, s: IndicatorScore) -> None:
    complaints = a.table("complaints")
    if complaints is None:
        node.add(_missing_leaf("complaints", "Không có tệp complaints (phản ánh, kiến nghị)."))
        if s.source == "self_accepted":
            node.add(a.self_leaf(uid, s.number))
        return
    received = pd.to_datetime(complaints["received_at"]).dt.normalize()
    period = a.r.period
    mine = complaints[(complaints["unit_id"] == uid) & received.between(period.start_ts, period.end_ts)]
    if mine.empty:
        node.add(
            _missing_leaf(
                "complaints",
                f"{a.label('complaints')}: không có phản ánh nào của đơn vị {uid} nhận trong kỳ.",
            )
        )
        return
    status = complaint_status(mine, period)
    for idx, c in mine.iterrows():
        prolonged = "; kéo dài" if _true(c.get("prolonged")) else ""
        text = (
            f"Phản ánh {c['complaint_id']}: nhận {_day(c['received_at'])}, hạn {_day(c['due_at'])}, "
            f"trả lời {_day(c['answered_at'])}: {COMPLAINT_WORDS[status[idx]]}{prolonged}"
        )
        child = node.add(
            Node(
                "complaint",
                text,
                {"complaint_id": c["complaint_id"], "status": status[idx], "prolonged": bool(prolonged)},
            )
        )
        child.add(_row_leaf("complaints", c[FILE], c[ROW]))


def _online_children(a: _Audit, node: Node, uid: str) -> None:
    """The online dossiers that decided indicator 9: finished late, or open and past due at the period's end
    (the same split as ``engine._online_facts``)."""
    pop = a.pop[a.pop["unit_id"] == uid]
    if "channel" not in pop:
        return
    online = pop[pop["online"]]  # the engine's flag for channel == ONLINE
    late = online[(online["finished_day"] > online["due_day"]).fillna(False) & ~online["open_overdue"]]
    for _, d in late.iterrows():
        _online_leaf(node, d, f"có kết quả {_day(d['finished_day'])}, hẹn trả {_day(d['due_day'])}: trễ hạn")
    dossiers = a.table("dossiers")
    if dossiers is None:
        return
    from tthc.schemes.tt01.population import add_day_columns

    every = add_day_columns(dossiers[dossiers["unit_id"] == uid])
    for _, d in every[overdue_open(every, a.r.period) & (every["channel"] == ONLINE)].iterrows():
        _online_leaf(node, d, f"chưa có kết quả ở cuối kỳ, hẹn trả {_day(d['due_day'])} đã quá hạn")


def _online_leaf(node: Node, d: pd.Series, text: str) -> None:
    child = node.add(Node("dossier", f"Hồ sơ trực tuyến {d['dossier_id']}: {text}",
                          {"dossier_id": d["dossier_id"], "online_late": True}))
    child.add(_row_leaf("dossiers", d[FILE], d[ROW]))


# --------------------------------------------------------------------------------------------- officials


def explain_official(result, name: str, unit: str | None = None) -> Explanation:
    """The derivation of an official's completion level, one tree per unit the official worked in."""
    keys = [k for k in result.official_scores if fold(k[1]) == fold(name)]
    if not keys:
        keys = [k for k in result.official_scores if fold(name) in fold(k[1])]
        if len({k[1] for k in keys}) > 1:
            names = ", ".join(sorted({k[1] for k in keys}))
            raise AuditError(f"'{name}' khớp với nhiều cán bộ: {names}.")
    if unit is not None:
        uid = find_unit(result, unit).unit_id
        keys = [k for k in keys if k[0] == uid]
    if not keys:
        known = {fold(k[1]): k[1] for k in result.official_scores}
        close = difflib.get_close_matches(fold(name), sorted(known), n=3, cutoff=0.6)
        hint = f"; có phải là {', '.join(known[c] for c in close)}?" if close else ""
        raise AuditError(f"Không có cán bộ '{name}' trong các hồ sơ được chấm kỳ này{hint}")
    audit = _Audit(result)
    trees = [_official_tree(audit, k) for k in keys]
    return Explanation(
        "official",
        keys[0][1],
        _header(result),
        trees,
        {"unit": result.rules.unit_grading, "official": result.rules.official_grading},
    )


def _official_tree(a: _Audit, key: tuple[str, str]) -> Node:
    uid, name = key
    grading = a.rules.official_grading
    scores = a.r.official_scores[key]
    total, note = total_of(scores, a.rules, grading, a.r.policies["missing_indicator"], a.rounding)
    band = grading.band_for(total)
    low, high, bounds = band_bounds(grading, band, "S")
    unit_name = next((u.unit_name for u in a.r.units if u.unit_id == uid), uid)
    n = int(((a.pop["unit_id"] == uid) & (a.pop["official"] == name)).sum())
    root = Node(
        "official_result",
        f"Cán bộ {name} ({unit_name}, mã {uid}): {band.text or band.label} — điểm {num(total)} thuộc khoảng "
        f"{bounds} ({grading.citation}); {n} hồ sơ",
        {
            "official": name,
            "unit_id": uid,
            "result": band.label,
            "total": total,
            "band": band.label,
            "band_min": low,
            "band_max": high,
            "citation": grading.citation,
            "dossiers": n,
            "status": None,
        },
    )
    root.add(_total_node(a, scores, total, note, {}, grading, uid, official=name))
    return root


# --------------------------------------------------------------------------------------------- dossiers


def explain_dossier(result, dossier_id: str) -> Explanation:
    """The points of one dossier on each per-dossier indicator (a dossier gets no grade of its own)."""
    a = _Audit(result)
    hits = a.scores.index[a.scores["dossier_id"] == dossier_id]
    if len(hits) == 0:
        hits = a.scores.index[a.scores["dossier_id"].map(fold) == fold(dossier_id)]
    header = _header(result)
    grading = {"unit": result.rules.unit_grading, "official": result.rules.official_grading}
    if len(hits) == 0:
        return Explanation("dossier", dossier_id, header, [_dossier_outside(a, dossier_id)], grading)
    idx = hits[0]
    s = a.scores.loc[idx]
    did, uid = s["dossier_id"], s["unit_id"]
    unit_name = next((u.unit_name for u in a.r.units if u.unit_id == uid), uid)
    who = "" if pd.isna(s["official"]) else f", cán bộ {s['official']}"
    root = Node(
        "dossier_result",
        f"Hồ sơ {did} ({unit_name}, mã {uid}{who}): tiếp nhận {_day(s['received_at'])}, "
        f"hẹn trả {_day(s['due_at'])}, có kết quả {_day(s['finished_at'])}. Một hồ sơ được chấm điểm từng "
        "chỉ số, không xếp loại riêng; điểm được tính vào trung bình của đơn vị"
        + (" và của cán bộ." if who else "."),
        {
            "dossier_id": did,
            "unit_id": uid,
            "official": None if pd.isna(s["official"]) else s["official"],
            "status": None,
        },
    )
    for ind in a.rules.dossier_indicators:
        pts = _points(s[ind.code])
        code = str(a.points.at[idx, f"{ind.code}_code"])
        label = f"{pts} điểm" if pts is not None else "không có thông tin"
        mark = " [ĐIỀU CHỈNH]" if code == "override" else ""
        reason = a.enrich(idx, ind, code, s[f"{ind.code}_reason"])
        node = root.add(
            Node(
                "dossier_indicator",
                f"Chỉ số {ind.number} ({ind.short}): {label}{mark} — {reason} [{ind.citation}]",
                {
                    "number": ind.number,
                    "points": pts,
                    "reason": reason,
                    "code": code,
                    "override": code == "override",
                    "citation": ind.citation,
                },
            )
        )
        for leaf in a.dossier_leaves(idx, ind):
            node.add(leaf)
        if ind.params.get("per_participant") and not a.r.participants.empty:
            others = a.r.participants[
                (a.r.participants["dossier_id"] == did) & (a.r.participants["role"] != "resolving")
            ]
            for _, p in others.iterrows():
                pp = _points(p["points"])
                child = node.add(
                    Node(
                        "participant",
                        f"Đơn vị phối hợp {p['unit_id']}: "
                        f"{pp if pp is not None else 'không có'} điểm — "
                        f"{_step_reason(str(p['code']), p['due_day'], p['finished_day'])} "
                        "(tính vào chỉ số 2 của đơn vị phối hợp)",
                        {"unit_id": p["unit_id"], "points": pp, "role": p["role"]},
                    )
                )
                child.add(_row_leaf("steps", p["source_file"], p["source_row"]))
    return Explanation("dossier", did, header, [root], grading)


def _dossier_outside(a: _Audit, dossier_id: str) -> Node:
    dossiers = a.table("dossiers")
    rows = dossiers[
        dossiers["dossier_id"].map(lambda v: fold(v) == fold(dossier_id) if isinstance(v, str) else False)
    ]
    if rows.empty:
        related = [
            f for f in a.r.findings.items if f.value == dossier_id or f" {dossier_id} " in f" {f.message} "
        ]
        if not related:
            raise AuditError(f"Không có hồ sơ '{dossier_id}' trong tệp {a.label('dossiers')}.")
        root = Node(
            "dossier_result",
            f"Hồ sơ {dossier_id} bị loại khi đọc dữ liệu, không được chấm.",
            {"dossier_id": dossier_id, "status": "not_loaded"},
        )
        for f in related:
            root.add(_row_leaf("dossiers", f.file, f.row, f.message))
        return root
    row = rows.iloc[0]
    label = a.label("dossiers")
    why = " ".join(f.message for f in a.r.findings.items if f.file == label and f.row == int(row[ROW]))
    root = Node(
        "dossier_result",
        f"Hồ sơ {row['dossier_id']} không thuộc đối tượng chấm điểm kỳ này: "
        f"{why or 'không có kết quả trong kỳ.'}",
        {"dossier_id": row["dossier_id"], "unit_id": row["unit_id"], "status": "outside_population"},
    )
    root.add(_row_leaf("dossiers", row[FILE], row[ROW]))
    return root


# --------------------------------------------------------------------------------------------- checks


def check_arithmetic(explanation: Explanation, rounding: str | None = None) -> list[str]:
    """Re-add the tree: every mean from its children, every total from its indicators, every band from its
    total. Returns the mismatches (empty when the numbers add up)."""
    rounding = rounding or explanation.header["policies"]["rounding"]
    problems: list[str] = []
    for tree in explanation.trees:
        grading = explanation.grading["official" if tree.kind == "official_result" else "unit"]
        for node in tree.walk():
            if node.kind == "indicator":
                problems += _check_indicator(node, rounding)
            elif node.kind == "total":
                problems += _check_total(node, rounding)
        if tree.kind in ("unit_result", "official_result") and tree.data.get("status") != "no_dossiers":
            totals = [c for c in tree.children if c.kind == "total"]
            if len(totals) != 1:
                problems.append(f"{tree.text[:40]}: không có nút tổng điểm")
                continue
            total = totals[0].data["total"]
            if total != tree.data["total"]:
                problems.append(f"{tree.text[:40]}: tổng {total} ≠ {tree.data['total']}")
            band = grading.band_for(total)
            if band.label != tree.data["band"]:
                problems.append(
                    f"{tree.text[:40]}: tổng {total} thuộc mức {band.label}, cây ghi {tree.data['band']}"
                )
            if tree.data.get("status") is None and tree.data["result"] != band.label:
                problems.append(f"{tree.text[:40]}: kết quả {tree.data['result']} ≠ mức {band.label}")
    return problems


def _check_indicator(node: Node, rounding: str) -> list[str]:
    d = node.data
    where = f"chỉ số {d['number']}"
    if d["source"] != "dossiers":
        if d["source"] == "excluded" and d["points"] is not None:
            return [f"{where}: bị loại nhưng có điểm"]
        return []
    items = [c.data["points"] for c in node.children if c.kind in ("dossier", "participant")]
    counted = [p for p in items if p is not None]
    out = []
    if len(counted) != d["count"]:
        out.append(f"{where}: {len(counted)} hồ sơ có điểm, chỉ số ghi {d['count']}")
    if sum(counted) != d["sum"]:
        out.append(f"{where}: tổng điểm hồ sơ {sum(counted)}, chỉ số ghi {d['sum']}")
    if counted and round_one(Fraction(sum(counted), len(counted)), rounding) != d["points"]:
        out.append(f"{where}: {sum(counted)}/{len(counted)} làm tròn khác {d['points']}")
    return out


def _check_total(node: Node, rounding: str) -> list[str]:
    d = node.data
    inds = [c.data for c in node.children if c.kind == "indicator"]
    included = [i for i in inds if i["points"] is not None]
    raw = sum((i["points"] for i in included), Decimal(0))
    out = []
    if [i["number"] for i in included] != d["included"] or raw != d["sum"]:
        out.append(f"tổng: các chỉ số cộng lại {raw}, nút ghi {d['sum']}")
    if d["rescaled"]:
        expected = round_one(Fraction(raw) * Fraction(d["max_total"]) / d["possible"], rounding)
    else:
        expected = raw.quantize(Decimal("0.1"))
    if expected != d["total"]:
        out.append(f"tổng: tính lại được {expected}, nút ghi {d['total']}")
    return out


# --------------------------------------------------------------------------------------------- what-if


def policy_diff(a: dict[str, str], b: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {k: (a.get(k), v) for k, v in b.items() if a.get(k) != v}


@dataclass
class UnitChange:
    unit_id: str
    unit_name: str
    level: str | None
    before: str
    after: str
    total_before: Decimal | None
    total_after: Decimal | None
    indicators: list[tuple[int, Decimal | None, Decimal | None]]

    @property
    def result_changed(self) -> bool:
        return self.before != self.after

    def to_dict(self) -> dict[str, Any]:
        return _plain(
            {
                "unit_id": self.unit_id,
                "unit_name": self.unit_name,
                "level": self.level,
                "before": self.before,
                "after": self.after,
                "total_before": self.total_before,
                "total_after": self.total_after,
                "result_changed": self.result_changed,
                "indicators": [{"number": n, "before": x, "after": y} for n, x, y in self.indicators],
            }
        )


def compare_policies(result_a, result_b) -> list[UnitChange]:
    """Every unit whose result, total or an indicator differs between two gradings of the same data."""
    after = {u.unit_id: u for u in result_b.units}
    changes = []
    for u in result_a.units:
        v = after.get(u.unit_id)
        if v is None:
            continue
        pa, pb = {s.number: s.points for s in u.scores}, {s.number: s.points for s in v.scores}
        inds = [(n, pa.get(n), pb.get(n)) for n in sorted(set(pa) | set(pb)) if pa.get(n) != pb.get(n)]
        if u.result != v.result or u.total != v.total or inds:
            changes.append(
                UnitChange(u.unit_id, u.unit_name, u.level, u.result, v.result, u.total, v.total, inds)
            )
    return changes


def render_changes(changes: list[UnitChange], policies_a: dict[str, str], policies_b: dict[str, str]) -> str:
    diff = policy_diff(policies_a, policies_b)
    what = "; ".join(f"{k}: {x} → {y}" for k, (x, y) in diff.items()) or "(không đổi chính sách nào)"
    lines = [f"So sánh chính sách: {what}"]
    moved = [c for c in changes if c.result_changed]
    kept = [c for c in changes if not c.result_changed]
    if not changes:
        lines.append("Không đơn vị nào thay đổi kết quả.")
        return "\n".join(lines) + "\n"
    lines.append(f"{len(moved)} đơn vị đổi kết quả xếp loại:")
    lines += [f"  - {_change_line(c)}" for c in moved] or ["  (không có)"]
    if kept:
        lines.append(f"{len(kept)} đơn vị đổi điểm nhưng giữ nguyên kết quả:")
        lines += [f"  - {_change_line(c)}" for c in kept]
    return "\n".join(lines) + "\n"


def _change_line(c: UnitChange) -> str:
    inds = ", ".join(
        f"chỉ số {n}: {num(x) if x is not None else 'không tính'} → "
        f"{num(y) if y is not None else 'không tính'}"
        for n, x, y in c.indicators
    )
    return (
        f"{c.unit_id} {c.unit_name}: {c.before} ({num(c.total_before)}) → {c.after} ({num(c.total_after)})"
        + (f"; {inds}" if inds else "")
    )


def what_if(explanation: Explanation, result_a, result_b) -> dict[str, Any]:
    """The subject's result under the alternative policies beside the official one (kept on it)."""
    diff = policy_diff(result_a.policies, result_b.policies)
    out: dict[str, Any] = {"policies": {k: {"official": x, "alternative": y} for k, (x, y) in diff.items()}}
    if explanation.subject == "unit":
        change = next((c for c in compare_policies(result_a, result_b) if c.unit_id == explanation.key), None)
        u = next(u for u in result_a.units if u.unit_id == explanation.key)
        v = next(u for u in result_b.units if u.unit_id == explanation.key)
        out.update(
            official={"result": u.result, "total": u.total, "note": u.total_note},
            alternative={"result": v.result, "total": v.total, "note": v.total_note},
            changed=change is not None,
            result_changed=u.result != v.result,
            indicators=[] if change is None else change.to_dict()["indicators"],
        )
    elif explanation.subject == "official":
        rows = []
        for tree in explanation.trees:
            key = (tree.data["unit_id"], tree.data["official"])
            b = result_b.officials[
                (result_b.officials["unit_id"] == key[0]) & (result_b.officials["official"] == key[1])
            ]
            rows.append(
                {
                    "unit_id": key[0],
                    "official": {"result": tree.data["result"], "total": tree.data["total"]},
                    "alternative": {
                        "result": b["completion"].iloc[0] if len(b) else None,
                        "total": Decimal(b["score"].iloc[0]) if len(b) and b["score"].iloc[0] else None,
                    },
                }
            )
        out["officials"] = rows
        out["changed"] = any(r["official"] != r["alternative"] for r in rows)
    else:
        sa = result_a.dossier_scores
        sb = result_b.dossier_scores
        ra, rb = sa[sa["dossier_id"] == explanation.key], sb[sb["dossier_id"] == explanation.key]
        codes = [i.code for i in result_a.rules.dossier_indicators]
        pa = {c: _points(ra[c].iloc[0]) for c in codes} if len(ra) else None
        pb = {c: _points(rb[c].iloc[0]) for c in codes} if len(rb) else None
        out.update(
            official={"in_population": pa is not None, "points": pa},
            alternative={"in_population": pb is not None, "points": pb},
            changed=pa != pb,
        )
    explanation.what_if = out
    return out


# --------------------------------------------------------------------------------------------- text


def render_text(explanation: Explanation) -> str:
    h = explanation.header
    period, rule_set = h["period"], h["rule_set"]
    lines = [
        f"Giải trình kết quả — {h['quarter_label']} (kỳ {_day(period['start'])}–{_day(period['end'])})",
        f"Bộ quy tắc: {rule_set['id']} — {rule_set['title']} (SHA-256 {rule_set['sha256'][:12]}…)",
        "Chính sách: "
        + ", ".join(
            f"{k}={v}" + (" (khác mặc định)" if k in h["non_default_policies"] else "")
            for k, v in h["policies"].items()
        ),
        "",
    ]
    for tree in explanation.trees:
        lines.append(tree.text)
        _render_children(tree, "", lines)
        lines.append("")
    if explanation.what_if is not None:
        lines.append(render_what_if(explanation))
    return "\n".join(lines).rstrip() + "\n"


def _inline(node: Node) -> str:
    """A node whose children are all input rows prints them on its own line after '←'."""
    return node.text + " ← " + "; ".join(c.text for c in node.children)


def _render_children(node: Node, prefix: str, lines: list[str]) -> None:
    for i, child in enumerate(node.children):
        last = i == len(node.children) - 1
        branch, cont = ("└─ ", "   ") if last else ("├─ ", "│  ")
        rows_only = child.children and all(
            c.kind in ("input_row", "missing_input") and not c.children for c in child.children
        )
        if child.kind in ("dossier", "participant", "complaint") and rows_only:
            lines.append(prefix + branch + _inline(child))
            continue
        marker = "← " if child.kind in ("input_row", "missing_input") else ""
        lines.append(prefix + branch + marker + child.text)
        _render_children(child, prefix + cont, lines)


def render_what_if(explanation: Explanation) -> str:
    """The what-if section: the subject's result under the alternative beside the official one."""
    w = explanation.what_if
    pol = "; ".join(f"{k}={v['alternative']} (chính thức: {v['official']})" for k, v in w["policies"].items())
    lines = [f"Giả định (what-if): {pol or 'không đổi chính sách nào'}"]
    if explanation.subject == "unit":
        o, alt = w["official"], w["alternative"]
        lines.append(f"  Kết quả chính thức: {o['result']} (tổng {num(o['total'])}; {o['note']})")
        flag = (
            "THAY ĐỔI" if w["result_changed"] else ("đổi điểm, giữ kết quả" if w["changed"] else "không đổi")
        )
        lines.append(
            f"  Theo giả định:      {alt['result']} (tổng {num(alt['total'])}; {alt['note']}) — {flag}"
        )
        for i in w["indicators"]:
            lines.append(
                f"  Chỉ số {i['number']}: {num(i['before']) if i['before'] is not None else 'không tính'} → "
                f"{num(i['after']) if i['after'] is not None else 'không tính'}"
            )
    elif explanation.subject == "official":
        for r in w["officials"]:
            lines.append(
                f"  {r['unit_id']}: chính thức {r['official']['result']} ({num(r['official']['total'])}) — "
                f"giả định {r['alternative']['result']} ({num(r['alternative']['total'])})"
            )
    else:
        for name in ("official", "alternative"):
            part = w[name]
            title = "Chính thức" if name == "official" else "Giả định"
            if not part["in_population"]:
                lines.append(f"  {title}: không thuộc đối tượng chấm điểm")
            else:
                pts = ", ".join(f"{k}={'—' if v is None else v}" for k, v in part["points"].items())
                lines.append(f"  {title}: {pts}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- tables


def summary_table(explanation: Explanation) -> pd.DataFrame:
    """One row per tree: the subject, its result, total, band and the band's bounds (for the notebook)."""
    rows = []
    for tree in explanation.trees:
        d = tree.data
        rows.append(
            {
                "Đối tượng": d.get("unit_name") or d.get("official") or d.get("dossier_id"),
                "Mã đơn vị": d.get("unit_id"),
                "Kết quả": d.get("result"),
                "Tổng điểm": num(d["total"]) if d.get("total") is not None else "",
                "Mức": d.get("band") or "",
                "Từ": _bound(d["band_min"]) if d.get("band_min") is not None else "",
                "Đến dưới": _bound(d["band_max"]) if d.get("band_max") is not None else "",
                "Căn cứ": d.get("citation") or "",
            }
        )
    return pd.DataFrame(rows)


def indicator_table(explanation: Explanation) -> pd.DataFrame:
    """Each indicator of the first tree: points, where they came from, self-score, reason, citation."""
    rows = []
    for node in explanation.trees[0].walk():
        if node.kind != "indicator":
            continue
        d = node.data
        rows.append(
            {
                "Chỉ số": d["number"],
                "Điểm": num(d["points"]) if d["points"] is not None else "không tính",
                "Nguồn": d["source_label"],
                "Tự chấm": num(d["self_score"]) if d["self_score"] is not None else "",
                "Số hồ sơ": d["count"] or "",
                "Tổng điểm hồ sơ": d["sum"] if d["count"] else "",
                "Lý do": d["reason"],
                "Căn cứ": d["citation"],
            }
        )
    return pd.DataFrame(
        rows, columns=["Chỉ số", "Điểm", "Nguồn", "Tự chấm", "Số hồ sơ", "Tổng điểm hồ sơ", "Lý do", "Căn cứ"]
    )


def fact_table(explanation: Explanation) -> pd.DataFrame:
    """Every fact under an indicator (dossier, step, complaint, evidence) and the input row it came from."""
    rows = []
    for tree in explanation.trees:
        for ind in tree.walk():
            if ind.kind not in ("indicator", "dossier_indicator"):
                continue
            for child in ind.children:
                leaves = [child] if child.kind in ("input_row", "missing_input") else child.leaves()
                source = "; ".join(leaf.text for leaf in leaves)
                what = child.data.get("dossier_id") or child.data.get("complaint_id") or ""
                rows.append(
                    {
                        "Chỉ số": ind.data["number"],
                        "Hồ sơ / phản ánh": what,
                        "Điểm": "" if child.data.get("points") is None else child.data["points"],
                        "Giải trình": child.text if child.kind not in ("input_row", "missing_input") else "",
                        "Nguồn (tệp, dòng)": source,
                    }
                )
    return pd.DataFrame(
        rows, columns=["Chỉ số", "Hồ sơ / phản ánh", "Điểm", "Giải trình", "Nguồn (tệp, dòng)"]
    )
