"""An explanation as a reader sees it: Vietnamese text (a tree drawn with ├─ └─) and tables for the notebook."""

from __future__ import annotations

import pandas as pd

from tthc.audit.compare import render_what_if
from tthc.schemes.explanation import LEAF_KINDS, Explanation, Node, bound, day, num

# --------------------------------------------------------------------------------------------- text


def render_text(explanation: Explanation) -> str:
    h = explanation.header
    period, rule_set = h["period"], h["rule_set"]
    lines = [
        f"Giải trình kết quả — {h['quarter_label']} (kỳ {day(period['start'])}–{day(period['end'])})",
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
            c.kind in LEAF_KINDS and not c.children for c in child.children
        )
        if child.kind in ("dossier", "participant", "complaint") and rows_only:
            lines.append(prefix + branch + _inline(child))
            continue
        marker = "← " if child.kind in LEAF_KINDS else ""
        lines.append(prefix + branch + marker + child.text)
        _render_children(child, prefix + cont, lines)


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
                "Từ": bound(d["band_min"]) if d.get("band_min") is not None else "",
                "Đến dưới": bound(d["band_max"]) if d.get("band_max") is not None else "",
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
