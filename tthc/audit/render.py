"""An explanation as a reader sees it: Vietnamese text (a tree drawn with ├─ └─) and tables for the notebook.

The text gives the summary first (the result, the total and its parts); under a part, the rows it was counted
from (dossiers, participants, petitions, procedures, communes) can run to hundreds: with ``limit`` each node
shows that many of them (those that cost the most points first) and "… và 412 hồ sơ khác" for the rest
(``tthc explain`` without ``--detail``); without it, every row. The JSON (``to_json``) always holds the whole
tree.
"""

from __future__ import annotations

import re

import pandas as pd

from tthc.audit.compare import render_what_if
from tthc.audit.schemes import scheme_named
from tthc.schemes.explanation import LEAF_KINDS, Explanation, Node, bound, day, num

#: Rows shown under a node by ``tthc explain`` without ``--detail``.
DETAIL_LIMIT = 5
#: Nodes that stand for one input row's fact, and what a reader calls them.
FACT_KINDS = {"dossier": "hồ sơ", "participant": "lượt tham gia", "complaint": "phản ánh, kiến nghị",
              "procedure": "TTHC", "commune": "đơn vị"}

# --------------------------------------------------------------------------------------------- text


def policy_label(name: str, rules=None) -> str:
    """What a reader calls a policy: its description in the rule file, up to its first parenthesis
    ("Hồ sơ đưa vào chấm điểm"); the identifier when the rule set has none."""
    policy = (getattr(rules, "policies", None) or {}).get(name)
    text = (getattr(policy, "description", "") or "").split(" (", 1)[0].strip()
    return text or name


def policy_text(name: str, value: str, rules=None, default: bool | None = None) -> str:
    """A policy and its value as a reader sees it: "Hồ sơ đưa vào chấm điểm: resolved_in_period (mặc định)";
    ``default`` None: without the remark."""
    remark = "" if default is None else " (mặc định)" if default else " (khác mặc định)"
    return f"{policy_label(name, rules)}: {value}{remark}"


def _bundled(rule_set: dict):
    """The bundled rule set the explanation was made with (same id and SHA-256), or None."""
    from tthc.errors import TthcError
    from tthc.parameters.ruleset import available, load_ruleset

    if rule_set.get("id") not in available():
        return None
    try:
        rules = load_ruleset(str(rule_set["id"]))
    except (TthcError, OSError):
        return None
    return rules if rules.sha256 == rule_set.get("sha256") else None


_POLICY = re.compile(r"\b([a-z][a-z0-9_]*)=([A-Za-z0-9_]+(?:\.[0-9]+)?)")


def name_policies(text: str, rules) -> str:
    """``name=value`` of a policy of ``rules`` inside a message, replaced by "'description: value'"."""
    policies = getattr(rules, "policies", None) or {}

    def named(match: re.Match) -> str:
        name, value = match.groups()
        return f"'{policy_text(name, value, rules)}'" if name in policies else match.group(0)

    return _POLICY.sub(named, text) if "=" in text else text


def render_text(explanation: Explanation, limit: int | None = None, rules=None) -> str:
    """The explanation as Vietnamese text; ``limit``: at most that many fact rows under each node (None: all);
    ``rules``: the rule set, whose policy descriptions name the policies (without it, the bundled rule set of
    the header's id and SHA-256; failing that, the policies' identifiers)."""
    h = explanation.header
    period, rule_set = h["period"], h["rule_set"]
    rules = rules if rules is not None else _bundled(rule_set)
    lines = [
        f"Giải trình kết quả — {h['quarter_label']} (kỳ {day(period['start'])}–{day(period['end'])})",
        f"Bộ quy tắc: {rule_set['id']} — {rule_set['title']} (SHA-256 {rule_set['sha256'][:12]}…)",
        "Chính sách:",
        *(f"  - {policy_text(k, v, rules, k not in h['non_default_policies'])}" for k, v in h["policies"].items()),
        "",
    ]
    capped = [0]
    for tree in explanation.trees:
        lines.append(tree.text)
        _render_children(tree, "", lines, limit, capped)
        lines.append("")
    if capped[0]:
        lines.append(f"Danh sách đã rút gọn: mỗi mục hiện tối đa {limit} dòng (những dòng bất lợi nhất trước); "
                     f"{capped[0]} dòng khác không hiện. Thêm --detail để xem đủ, --format json để lấy cả cây.")
        lines.append("")
    if explanation.what_if is not None:
        lines.append(render_what_if(explanation))
    return "\n".join(lines).rstrip() + "\n"


def _inline(node: Node) -> str:
    """A node whose children are all input rows prints them on its own line after '←'."""
    return node.text + " ← " + "; ".join(c.text for c in node.children)


def _cost(node: Node) -> tuple[bool, object]:
    """Fewest points first (a row without points after those with)."""
    points = node.data.get("points")
    return points is None, 0 if points is None else points


def _shown(node: Node, limit: int | None) -> tuple[list[Node], dict[str, int]]:
    """The children to print, and per kind how many fact rows were left out: at most ``limit`` fact rows,
    those that cost the most points first, where the others were."""
    facts = [c for c in node.children if c.kind in FACT_KINDS]
    if limit is None or len(facts) <= limit:
        return node.children, {}
    kept = sorted(facts, key=_cost)[:limit]
    hidden: dict[str, int] = {}
    for c in facts:
        if not any(c is k for k in kept):
            hidden[c.kind] = hidden.get(c.kind, 0) + 1
    shown: list[Node] = []
    for c in node.children:
        if c.kind not in FACT_KINDS:
            shown.append(c)
        elif c is facts[0]:
            shown.extend(kept)
    return shown, hidden


def _render_children(node: Node, prefix: str, lines: list[str], limit: int | None = None,
                     capped: list[int] | None = None) -> None:
    children, hidden = _shown(node, limit)
    more = [f"… và {n} {FACT_KINDS[kind]} khác" for kind, n in hidden.items()]
    if capped is not None:
        capped[0] += sum(hidden.values())
    for i, child in enumerate(children):
        last = i == len(children) - 1 and not more
        branch, cont = ("└─ ", "   ") if last else ("├─ ", "│  ")
        rows_only = child.children and all(
            c.kind in LEAF_KINDS and not c.children for c in child.children
        )
        if child.kind in FACT_KINDS and rows_only:
            lines.append(prefix + branch + _inline(child))
            continue
        marker = "← " if child.kind in LEAF_KINDS else ""
        lines.append(prefix + branch + marker + child.text)
        _render_children(child, prefix + cont, lines, limit, capped)
    for i, text in enumerate(more):
        lines.append(prefix + ("└─ " if i == len(more) - 1 else "├─ ") + text)


# --------------------------------------------------------------------------------------------- tables


def summary_table(explanation: Explanation) -> pd.DataFrame:
    """One row per tree: the subject, its result, total, band and the band's bounds (for the notebook)."""
    score = scheme_named(explanation.scheme).score_text
    rows = []
    for tree in explanation.trees:
        d = tree.data
        rows.append(
            {
                "Đối tượng": d.get("unit_name") or d.get("official") or d.get("dossier_id"),
                "Mã đơn vị": d.get("unit_id"),
                "Kết quả": d.get("result"),
                "Tổng điểm": score(d["total"]) if d.get("total") is not None else "",
                "Mức": d.get("band") or "",
                "Từ": bound(d["band_min"]) if d.get("band_min") is not None else "",
                "Đến dưới": bound(d["band_max"]) if d.get("band_max") is not None else "",
                "Căn cứ": d.get("citation") or "",
            }
        )
    return pd.DataFrame(rows)


def component_table(explanation: Explanation) -> pd.DataFrame:
    """Each component of the first tree of an index explanation: points, counts, source, the portal's figure
    beside the workbench's, reason, provenance and citation (for the notebook)."""
    score = scheme_named(explanation.scheme).score_text
    columns = ["Chỉ tiêu", "Điểm", "Tối đa", "Tử số/Mẫu số", "Nguồn", "Điểm của Cổng", "Tự tính", "Chênh lệch",
               "Lý do", "Nhãn", "Căn cứ"]
    rows = []
    for node in explanation.trees[0].walk():
        if node.kind != "component":
            continue
        d = node.data
        counts = f"{d['numerator']}/{d['denominator']}" if d["numerator"] is not None else ""
        rows.append(dict(zip(columns, [
            d["code"], score(d["points"]) if d["points"] is not None else "không tính", d["max"], counts,
            d["source_label"], "" if d["portal_points"] is None else score(d["portal_points"]),
            "" if d["recomputed"] is None else score(d["recomputed"]),
            "" if d["difference"] is None else score(d["difference"]), d["reason"], d["provenance"], d["citation"],
        ], strict=True)))
    return pd.DataFrame(rows, columns=columns)


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
                leaves = [child] if child.kind in LEAF_KINDS else child.leaves()
                source = "; ".join(leaf.text for leaf in leaves)
                what = child.data.get("dossier_id") or child.data.get("complaint_id") or ""
                rows.append(
                    {
                        "Chỉ số": ind.data["number"],
                        "Hồ sơ / phản ánh": what,
                        "Điểm": "" if child.data.get("points") is None else child.data["points"],
                        "Giải trình": child.text if child.kind not in LEAF_KINDS else "",
                        "Nguồn (tệp, dòng)": source,
                    }
                )
    return pd.DataFrame(
        rows, columns=["Chỉ số", "Hồ sơ / phản ánh", "Điểm", "Giải trình", "Nguồn (tệp, dòng)"]
    )
