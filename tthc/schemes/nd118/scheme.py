"""Which scheme grades a quarter, and the note a run carries when its rule set has lapsed.

By the quarter's last day (DOMAIN_2025.md "Which scheme applies"): up to 30/6/2025 TT 01/2018, from 1/7/2025
the index. A quarter that straddles the change (possible under the ``reporting_cutoff`` period) is graded under
the rule set in force on its last day. An analyst may force TT 01/2018 for a later quarter; the run then says,
in the report's notes and the manifest, that its legal basis lapsed (``lapsed_note``).
"""

from __future__ import annotations

from datetime import date, timedelta

from tthc.parameters.ruleset import ruleset_for, rulesets

#: The ``period`` policy's default, for picking a rule set before the policies are known.
CALENDAR = "calendar_quarter"


def last_day(quarter, period: str = CALENDAR) -> date:
    return quarter.bounds(period)[1]


def ruleset_for_quarter(quarter, period: str = CALENDAR):
    """The rule set in force on the quarter's last day."""
    return ruleset_for(last_day(quarter, period))


def lapsed_note(rules, quarter, period: str = CALENDAR) -> str:
    """A Vietnamese note when ``rules`` no longer applied on the quarter's last day, else ''.

    The later rule set that says so (``supersedes`` in its file) gives the date and the text that ended it."""
    end = last_day(quarter, period)
    until = getattr(rules, "applies_until", None)
    if until is None or end <= until:
        return ""
    successor = next((rs for rs in rulesets() if getattr(rs, "supersedes", {}).get("ruleset") == rules.id), None)
    since = (until + timedelta(days=1)).strftime("%d/%m/%Y")
    text = (f"{quarter.label_vi} được chấm theo {rules.title} theo lựa chọn của người dùng; căn cứ pháp lý của bộ "
            f"quy tắc này đã hết hiệu lực từ ngày {since}")
    if successor is not None:
        text += f" ({successor.supersedes.get('citation', '')}); quy định áp dụng cho kỳ này: {successor.title}"
    return text + "."
