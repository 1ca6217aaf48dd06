"""Reading the portal's evaluation JSON (``portal_scores.json``) into the canonical portal rows.

The shape (DATA_CONTRACT v2): a unit with its ``groups`` (each with ``metrics``: ``code``, ``numerator``,
``denominator``, ``score``, ``maxScore``) and its child units under ``departments``, each with its own
``groupDetails``. Key names seen in saved pages vary a little, so a few spellings are accepted for each
(``code``/``unitCode``/``agencyCode``, ``name``/``unitName``, ``score``/``totalScore``…); a list of units, or the
object under ``data``, is read the same way. Numbers keep their exact decimal text (``parse_float=Decimal``).

Each metric, group total and unit total becomes one row: ``unit_ref``, ``unit_name``, ``component`` (the
metric's code; ``g<code>`` for a group total, identified by its code, its name or its metrics; ``total``),
``score``, ``numerator``, ``denominator``, ``max_score``, the file, and ``_where`` (the JSON path, shown in
findings where a table would show a row). ``_root`` marks the file's top unit.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from tthc.input.findings import Findings
from tthc.text import fold

UNIT_CODE = ("code", "unitCode", "agencyCode", "departmentCode", "id", "maDonVi", "ma_don_vi")
UNIT_NAME = ("name", "unitName", "agencyName", "departmentName", "tenDonVi", "ten_don_vi", "title")
GROUPS = ("groups", "groupDetails", "groupScores")
METRICS = ("metrics", "metricDetails", "details", "criteria")
CHILDREN = ("departments", "children", "units", "subUnits")
UNIT_TOTAL = ("totalScore", "total", "score", "point")
GROUP_CODE = ("code", "groupCode", "id")
GROUP_NAME = ("name", "groupName", "title")
GROUP_SCORE = ("score", "totalScore", "point")
METRIC_CODE = ("code", "metricCode", "criteriaCode", "id")
NUMERATOR = ("numerator", "tuSo", "num")
DENOMINATOR = ("denominator", "mauSo", "den")
METRIC_SCORE = ("score", "point", "value")
MAX_SCORE = ("maxScore", "max", "maxPoint")

COLUMNS = ["unit_ref", "unit_name", "component", "score", "numerator", "denominator", "max_score", "_file", "_row",
           "_where", "_root"]


class PortalJSONError(ValueError):
    """A JSON file that cannot be read as the portal's evaluation."""


def _first(obj: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in obj and obj[key] is not None and obj[key] != "":
            return obj[key]
    return None


def read_portal_json(path: Path, label: str, rules, findings: Findings) -> list[dict]:
    """The canonical rows of a portal JSON file (raises ``PortalJSONError`` when it is not readable)."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PortalJSONError(f"Tệp {label} không phải JSON hợp lệ ({exc}).") from exc
    if isinstance(data, dict) and "data" in data and isinstance(data["data"], dict | list):
        data = data["data"]
    roots = data if isinstance(data, list) else [data]
    if not roots or not all(isinstance(r, dict) for r in roots):
        raise PortalJSONError(f"Tệp {label}: cần một đơn vị (đối tượng JSON) hoặc danh sách đơn vị.")
    rows: list[dict] = []
    for i, root in enumerate(roots):
        where = f"[{i}]" if isinstance(data, list) else "$"
        _unit(root, where, rows, label, rules, findings, root=True)
    return rows


def _unit(obj: dict, where: str, rows: list[dict], label: str, rules, findings: Findings, root: bool) -> None:
    code, name = _first(obj, UNIT_CODE), _first(obj, UNIT_NAME)
    unit = {"unit_ref": None if code is None else str(code).strip(), "unit_name": None if name is None else str(name),
            "_file": label, "_row": None, "_root": root}
    if code is None and name is None:
        findings.warning("nd118_portal_no_unit", "Đơn vị trong tệp điểm của Cổng không có mã hoặc tên; bỏ qua.",
                         file=label, column=where)
    else:
        total = _first(obj, UNIT_TOTAL)
        groups_key = next((k for k in GROUPS if isinstance(obj.get(k), list)), None)
        if total is not None and not isinstance(total, dict | list):
            rows.append({**unit, "component": "total", "score": total, "_where": f"{where}.score"})
        for g, group in enumerate(obj.get(groups_key) or [] if groups_key else []):
            _group(group, f"{where}.{groups_key}[{g}]", unit, rows, label, rules, findings)
    for key in CHILDREN:
        for c, child in enumerate(obj.get(key) or []):
            if isinstance(child, dict):
                _unit(child, f"{where}.{key}[{c}]", rows, label, rules, findings, root=False)


def _group(group: Any, where: str, unit: dict, rows: list[dict], label: str, rules, findings: Findings) -> None:
    if not isinstance(group, dict):
        findings.warning("nd118_portal_shape", "Nhóm chỉ tiêu không đúng dạng; bỏ qua.", file=label, column=where)
        return
    metrics_key = next((k for k in METRICS if isinstance(group.get(k), list)), None)
    metrics = group.get(metrics_key) or [] if metrics_key else []
    found = set()
    for m, metric in enumerate(metrics):
        if not isinstance(metric, dict):
            continue
        code = _first(metric, METRIC_CODE)
        rows.append({**unit, "component": None if code is None else str(code).strip(),
                     "score": _first(metric, METRIC_SCORE), "numerator": _first(metric, NUMERATOR),
                     "denominator": _first(metric, DENOMINATOR), "max_score": _first(metric, MAX_SCORE),
                     "_where": f"{where}.{metrics_key}[{m}]"})
        comp = rules.component_code(code) if code is not None else None
        if comp:
            found.add(rules.component(comp).group)
    score = _first(group, GROUP_SCORE)
    if score is None:
        return
    code = group_code(rules, _first(group, GROUP_CODE), _first(group, GROUP_NAME))
    if code is None and len(found) == 1:
        code = next(iter(found))
    rows.append({**unit, "component": f"g{code}" if code else f"nhom:{_first(group, GROUP_NAME) or ''}",
                 "score": score, "max_score": _first(group, MAX_SCORE), "_where": f"{where}.score"})


def group_code(rules, code: Any, name: Any = None) -> str | None:
    """A group's code from ``1``, ``g1``, ``Nhóm 1`` or its name (``Công khai, minh bạch``); None if unknown."""
    for raw in (code, name):
        if raw is None:
            continue
        key = fold(raw).replace("nhom", "").strip()
        key = key[1:] if key.startswith("g") and key[1:].isdigit() else key
        for group in rules.groups:
            if key == group.code or fold(raw) == fold(group.name):
                return group.code
    return None
