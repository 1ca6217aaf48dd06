"""The report's appendix: one table per level, each unit's note, its rank within its level, the closing
note a signer can put their name under, and the scoring settings for the technical annex.

Every phrase comes from the report parameters (``appendix``, ``basis``, ``technical``, ``public``); this
module decides which phrase a unit needs and fills it. The closing note says what an appraiser would say
(the rule set, the period, which dossiers were scored, whose indicators rest on their self-score); the
policy values themselves go to the technical annex, which the signed document does not carry.
"""

from __future__ import annotations

from tthc.report import wording as w
from tthc.report.inputs import Manifest, ReportInputError

#: Policy whose value decides the wording of an excluded indicator's note.
RESCALED = ("missing_indicator", "rescale_to_18")


def ranks(rows: list[dict], unranked: set[str]) -> list[int | None]:
    """Competition ranks (1, 1, 3) by appraised total, highest first, of the rows that have a total and a
    grade; a row whose result is a status (``unranked``: no dossiers, not self-assessed) gets ``None``.
    A ``rank`` column in ``grades.csv`` (the index rule set writes one) is taken as it is."""
    if rows and all("rank" in row for row in rows):
        return [int(row["rank"]) if str(row["rank"]).strip() else None for row in rows]
    ranked = [row["total"] for row in rows if row["total"] is not None and row["result"] not in unranked]
    return [
        None if row["total"] is None or row["result"] in unranked else 1 + sum(t > row["total"] for t in ranked)
        for row in rows
    ]


def note(row: dict, notes: dict, accepted: list[int], policies: dict[str, str]) -> str:
    """The appendix's note: why a unit has no grade or no self-assessment, indicators kept at the unit's
    own score, the gap between self-assessed and appraised totals, indicators left out."""
    parts = []
    total, self_total = row["total"], row["self_total"]
    by_result = notes.get("by_result") or {}
    if row["result"] in by_result:
        parts.append(by_result[row["result"]])
    elif self_total is None and row["dossiers"] > 0:
        parts.append(notes["no_self_assessment"])
    if accepted:
        parts.append(w.fill(notes["self_accepted"], indicators=", ".join(map(str, accepted))))
    if total is not None and self_total is not None and total != self_total:
        key = "self_higher" if self_total > total else "self_lower"
        parts.append(w.fill(notes[key], diff=w.one_decimal(abs(self_total - total))))
    excluded = [str(n) for n, v in row["indicators"].items() if v is None]
    if total is not None and excluded and row["dossiers"] > 0:
        key = "excluded_rescaled" if policies.get(RESCALED[0]) == RESCALED[1] else "excluded"
        parts.append(w.fill(notes[key], indicators=", ".join(excluded)))
    return notes.get("separator", "; ").join(parts)


def tables(grades: list[dict], numbers: list[int], levels: dict, params: dict, accepted: dict[str, list[int]],
           policies: dict[str, str]) -> list[dict]:
    """One table per level present, in the order of ``levels``: display strings, plus each unit's rank
    within its level (``rank``) and plain numbers (``*_value``) for the public page's sorting."""
    appendix = params["appendix"]
    unranked = set((params.get("public") or {}).get("unranked_results") or [])
    result = []
    for code, name in levels.items():
        rows = [g for g in grades if g["level"] == code]
        if not rows:
            continue
        body = []
        for stt, (row, rank) in enumerate(zip(rows, ranks(rows, unranked), strict=True), start=1):
            body.append(
                {
                    "stt": stt,
                    "unit_name": row["unit_name"],
                    "dossiers": w.number(row["dossiers"]),
                    "dossiers_value": str(row["dossiers"]),
                    "indicators": [w.one_decimal(row["indicators"][n]) for n in numbers],
                    "self_total": w.one_decimal(row["self_total"]),
                    "total": w.one_decimal(row["total"]),
                    "total_value": "" if row["total"] is None else str(row["total"]),
                    "result": row["result"],
                    "rank": "" if rank is None else w.number(rank),
                    "rank_value": "" if rank is None else str(rank),
                    "note": note(row, appendix["notes"], accepted.get(row["unit_id"], []), policies),
                }
            )
        heading = w.fill(appendix["level_heading"], index=len(result) + 1, level=name)
        result.append({"level": code, "name": name, "heading": heading, "rows": body})
    return result


def basis(manifest: Manifest | None, params: dict, accepted: dict[str, list[int]], words: dict) -> list[str]:
    """The appendix's closing note, in an appraiser's words: rule set, scored dossiers and period; when it
    happened, that some units' indicators rest on their self-score for want of evidence; and, for a rule set
    forced on a quarter after its legal basis lapsed, the manifest's note saying so."""
    if manifest is None:
        return []
    spec = params["basis"]
    population = manifest.policies.get("population")
    phrases = spec.get("population") or {}
    if population not in phrases:
        raise ReportInputError(
            f"Tham số báo cáo 'basis.population' chưa có cách diễn đạt cho population={population!r} "
            f"(có: {', '.join(sorted(phrases)) or 'không có'})."
        )
    lines = [
        w.fill(
            spec["rule_set"],
            rule_set=manifest.rule_set,
            population=phrases[population],
            start=w.document_date(manifest.start),
            end=w.document_date(manifest.end),
            **words,
        )
    ]
    numbers = sorted({n for found in accepted.values() for n in found})
    if numbers:
        lines.append(w.fill(spec["self_accepted"], indicators=", ".join(map(str, numbers)), **words))
    if manifest.legal_basis_note:  # TT 01/2018 forced on a quarter after 30/06/2025: the lapsed basis is said
        lines.append(manifest.legal_basis_note)
    return lines


def technical(manifest: Manifest | None, params: dict, words: dict) -> dict:
    """The technical annex (screen only, not in the signed document): every policy value of the run."""
    spec = params["technical"]
    items = []
    for name, value in (manifest.policies if manifest else {}).items():
        label = (spec.get("policies_labels") or {}).get(name) or {}
        shown = (label.get("values") or {}).get(value, value)
        items.append(w.fill(spec["policy_item"], label=label.get("label", name), value=shown))
    return {"heading": w.fill(spec["heading"], **words), "items": items}
