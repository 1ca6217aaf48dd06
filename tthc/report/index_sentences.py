"""The generated sentences of the index report: the province's index and groups, the bands per tier as the seed
report writes them ("03 đơn vị đạt loại Xuất sắc"), the units at both ends of each tier, the components where
the province loses most points and the units that lose them, citizens' forms beside the index, officials
(no points), and the footnote on the bands.

Every pattern is a report parameter (``templates/index/defaults.yaml`` ← the profile's ``report.yaml``); this
module only counts, orders and fills them from the output tables (``tthc.report.index_inputs``). Points are
shown with two decimals as the portal shows them (``79,92``), counts the Vietnamese way (``2.589``).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal

from tthc.report import wording as w
from tthc.report.index_inputs import IndexTables, UnitRow
from tthc.report.inputs import ReportInputError
from tthc.vi import LOCALE

PAPER, ONLINE = "giay", "truc_tuyen"  # citizens.csv channels


def points(value: Decimal | None) -> str:
    """``Decimal("79.9")`` → ``79,90``; None → ''."""
    return "" if value is None else format_decimal(Decimal(value), format="#,##0.00", locale=LOCALE)


def signed(value: Decimal) -> str:
    """A difference with its sign: ``+0,62``, ``-1,00``."""
    return ("+" if value > 0 else "-" if value < 0 else "") + points(abs(value))


def overall_source(units: list[UnitRow]) -> str:
    """``portal`` when every row's points are the portal's, ``recomputed`` when none are, else ``mixed``."""
    sources = {u.source for u in units if u.total is not None}
    if sources == {"portal"}:
        return "portal"
    if "portal" not in sources and "mixed" not in sources:
        return "recomputed"
    return "mixed"


def left_out(t: IndexTables, unit_id: str) -> tuple[list[str], list[str], list[str]]:
    """A unit's components not counted in its index, for want of data (``missing``) or for an empty denominator
    (``not_applicable``), and those counted as 0 points for want of data (``missing_component = count_zero``)."""
    missing, not_applicable, zero = [], [], []
    for spec in t.rules.components:
        c = t.component(unit_id, spec.code)
        if c is None or (c.points is None and c.source != "not_applicable"):
            missing.append(spec.code)
        elif c.points is None:
            not_applicable.append(spec.code)
        elif c.source == "missing":
            zero.append(spec.code)
    return missing, not_applicable, zero


def left_out_items(missing: list[str], not_applicable: list[str], spec: dict) -> str:
    """``chỉ tiêu 5.5, 5.6 (không có số liệu); chỉ tiêu 3.1 (không áp dụng: mẫu số bằng 0)``."""
    items = [w.fill(spec["missing_item"], codes=", ".join(missing))] if missing else []
    if not_applicable:
        items.append(w.fill(spec["not_applicable_item"], codes=", ".join(not_applicable)))
    return "; ".join(items)


def province(t: IndexTables, spec: dict, words: dict) -> list[str]:
    """The province's index and band, its groups, what was left out, where the points come from."""
    p = t.province
    if p.total is None:
        return [w.fill(spec["no_data"], province=p.unit_name, **words)]
    lines = [w.fill(spec["index"], province=p.unit_name, total=points(p.total), band=p.result, mark=spec["mark"],
                    **words)]
    items = []
    for g in t.rules.groups:
        value = p.groups.get(g.code)
        items.append(w.fill(spec["group_missing"], name=g.name) if value is None
                     else w.fill(spec["group_item"], name=g.name, points=points(value), max=w.number(g.max)))
    lines.append(w.fill(spec["groups"], groups="; ".join(items), **words))
    missing, not_applicable, zero = left_out(t, p.unit_id)
    if missing or not_applicable:
        known = sum((s.max for s in t.rules.components if s.code not in missing + not_applicable), Decimal(0))
        lines.append(w.fill(spec["left_out"], items=left_out_items(missing, not_applicable, spec),
                            known=w.number(known), **words))
    if zero:
        lines.append(w.fill(spec["left_as_zero"], codes=", ".join(zero), **words))
    lines.append(w.fill(spec["source"][overall_source(t.units)], **words))
    return lines


def tier_levels(t: IndexTables, levels: dict[str, str], unknown: str) -> dict[str, str]:
    """The tiers present, in the parameters' order, with their names; every unit's level must have one."""
    present = {u.level for u in t.units if u.unit_id != t.province_id}
    names = {code: name for code, name in levels.items() if code in present}
    if "" in present:
        names[""] = unknown
    missing = sorted(present - set(names))
    if missing:
        raise ReportInputError(f"grades.csv: cấp {', '.join(missing)} chưa có tên hiển thị (tham số 'levels').")
    return names


def tier_sentences(t: IndexTables, levels: dict[str, str], params: dict) -> list[str]:
    """``Cấp tỉnh: 03 đơn vị đạt loại Xuất sắc; 12 đơn vị đạt loại Tốt; …`` per tier, in the levels' order."""
    rows = [{"level": u.level, "result": u.result} for u in t.units if u.unit_id != t.province_id]
    try:
        return w.result_sentences(rows, levels, params["result_order"], params["result_phrases"],
                                  params["result_count"])
    except w.WordingError as exc:
        raise ReportInputError(f"Tham số báo cáo (result_order, result_phrases): {exc}") from None


def ranked(units: list[UnitRow]) -> list[UnitRow]:
    """The ranked units by rank (their table order on a tie)."""
    return sorted((u for u in units if u.rank is not None), key=lambda u: u.rank)


def leaders(t: IndexTables, levels: dict[str, str], spec: dict, words: dict) -> list[str]:
    """Per tier with at least two ranked units: the highest and the lowest (``count`` at each end)."""
    lines = []
    for code, name in levels.items():
        order = ranked(t.tier(code))
        if len(order) < 2:
            continue
        top = order[:min(int(spec["count"]), (len(order) + 1) // 2)]
        bottom = list(reversed(order[len(top):]))[:int(spec["count"])]

        def listed(units):
            return ", ".join(w.fill(spec["leader_item"], unit=u.unit_name, total=points(u.total)) for u in units)

        lines.append(w.fill(spec["leaders"], level=name, top=listed(top), bottom=listed(bottom), **words))
    return lines


def losses(t: IndexTables, spec: dict, words: dict) -> list[str]:
    """The components where the province loses most points (maximum minus points), with the units that lose
    most on each (or, for a province-wide component, that every unit carries it)."""
    p = t.province
    lost = []
    for order, s in enumerate(t.rules.components):
        c = t.component(p.unit_id, s.code)
        if c is not None and c.points is not None and c.maximum - c.points > 0:
            lost.append((-(c.maximum - c.points), order, s, c))
    if not lost:
        return [w.fill(spec["none"], **words)]
    units = [u for u in t.units if u.unit_id != t.province_id]
    lines = []
    for _, _, s, c in sorted(lost, key=lambda x: (x[0], x[1]))[:int(spec["count"])]:
        counts = (w.fill(spec["counts"], numerator=w.number(c.numerator), denominator=w.number(c.denominator),
                         what=s.numerator) if c.numerator is not None and c.denominator is not None
                  else spec["no_counts"])
        if s.province_wide:
            who = spec["province_wide"]
        else:
            losing = []
            for i, u in enumerate(units):
                uc = t.component(u.unit_id, s.code)
                if uc is not None and uc.points is not None and uc.maximum - uc.points > 0:
                    losing.append((uc.points - uc.maximum, i, u, uc.maximum - uc.points))
            named = [w.fill(spec["unit_item"], unit=u.unit_name, lost=points(d))
                     for _, _, u, d in sorted(losing, key=lambda x: (x[0], x[1]))[:int(spec["units_count"])]]
            who = w.fill(spec["units"], list=", ".join(named)) if named else spec["no_unit_lost"]
        lines.append(w.fill(spec["item"], code=s.code, name=s.name, group=t.rules.group(s.group).name,
                            points=points(c.points), max=w.number(c.maximum), lost=points(c.maximum - c.points),
                            counts=counts, units=who, **words))
    return lines


def citizens(t: IndexTables, spec: dict, words: dict) -> list[str]:
    """Forms per channel and the shares of answers, over every unit's forms of the period; the units with the
    lowest share satisfied; and that this stands beside the index, not in it."""
    if t.citizens is None:
        return [w.fill(spec["forms_unknown"], **words), w.fill(spec["beside"], **words)]
    forms, answers, per_unit = Counter(), Counter(), {}
    for r in t.citizens:
        forms[r.channel] += r.forms
        answers.update(very=r.very_satisfied, satisfied=r.satisfied, dissatisfied=r.dissatisfied)
        mine = per_unit.setdefault(r.unit_id, Counter())
        mine.update(forms=r.forms, happy=r.very_satisfied + r.satisfied)
    total = sum(forms.values())
    if total == 0:
        return [w.fill(spec["forms_none"], **words), w.fill(spec["beside"], **words)]
    with_forms = [u for u, c in per_unit.items() if c["forms"]]
    lines = [w.fill(spec["forms"], total=w.number(total), units=w.number(len(with_forms)),
                    paper=w.number(forms[PAPER]), online=w.number(forms[ONLINE]), **words)]
    happy = answers["very"] + answers["satisfied"]
    if happy == total:
        lines.append(w.fill(spec["all_satisfied"], **words))
    else:
        lines.append(w.fill(spec["satisfaction"], satisfied_share=w.percent(happy, total),
                            very_share=w.percent(answers["very"], total),
                            plain_share=w.percent(answers["satisfied"], total),
                            dissatisfied_share=w.percent(answers["dissatisfied"], total),
                            dissatisfied=w.number(answers["dissatisfied"]), **words))
        names = {u.unit_id: u.unit_name for u in t.units}
        order = {u.unit_id: i for i, u in enumerate(t.units)}
        below = sorted((u for u in with_forms if per_unit[u]["happy"] < per_unit[u]["forms"]),
                       key=lambda u: (Fraction(per_unit[u]["happy"], per_unit[u]["forms"]), -per_unit[u]["forms"],
                                      order.get(u, len(order))))
        named = [w.fill(spec["lowest_item"], unit=names.get(u, u), satisfied=w.number(per_unit[u]["happy"]),
                        forms=w.number(per_unit[u]["forms"])) for u in below[:int(spec["lowest_count"])]]
        if named:
            lines.append(w.fill(spec["lowest"], list="; ".join(named), **words))
    lines.append(w.fill(spec["beside"], **words))
    return lines


def officials(t: IndexTables, spec: dict, words: dict) -> list[str]:
    """No points for officials (NĐ 118/2025): dossiers handled, who finished every one on time, petitions about
    conduct."""
    lines = [w.fill(spec["rule"], **words)]
    rows = t.officials or []
    if not rows:
        return [*lines, w.fill(spec["none"], **words)]
    known = [r for r in rows if r.on_time_share is not None]
    all_on_time = sum(r.on_time_share == 1 for r in known)
    lines.append(w.fill(spec["handled"], count=w.number(len(rows)), dossiers=w.number(sum(r.dossiers for r in rows)),
                        all_on_time=w.number(all_on_time), late=w.number(len(known) - all_on_time), **words))
    if any(r.petitions is None for r in rows):
        lines.append(w.fill(spec["petitions_unknown"], **words))
    else:
        people = [r for r in rows if r.petitions]
        lines.append(w.fill(spec["petitions"], people=w.number(len(people)),
                            petitions=w.number(sum(r.petitions for r in people)), **words) if people
                     else w.fill(spec["no_petitions"], **words))
    return lines


def bands_note(t: IndexTables, spec: dict, words: dict) -> str:
    """The footnote: the bands are the profile's setting (``index_bands``), not the decree's."""
    parts = []
    for i, (low, label) in enumerate(t.bands):
        upper = w.number(t.bands[i - 1][0]) if i else ""
        if i == 0:
            parts.append(w.fill(spec["band_top"], label=label, min=w.number(low)))
        elif low > 0:
            parts.append(w.fill(spec["band_middle"], label=label, min=w.number(low), upper=upper))
        else:
            parts.append(w.fill(spec["band_bottom"], label=label, upper=upper))
    return w.fill(spec["bands_note"], mark=spec["province"]["mark"], policy=t.policies.get("index_bands", ""),
                  bands="; ".join(parts), **words)
