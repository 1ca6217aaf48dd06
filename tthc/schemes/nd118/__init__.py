"""The scheme for quarters under NĐ 118/2025/NĐ-CP: the 100-point service index (QĐ 766/QĐ-TTg groups).

Rules are data (``parameters/rules/nd118-2025.yaml``, ``scheme: nd118``); this package interprets them:

- ``ruleset``: the rule set's model (groups, components, band sets, policies); ``rulefile``: reading and
  checking the rule file;
- ``facts``: per-dossier and per-petition facts, vectorised; ``measure`` and ``*_measures``: one component
  object per component kind (counts for every unit and the province at once, missing reason, audit leaf);
- ``inputs``, ``portal_json``: reading ``index_evidence`` and ``portal_scores`` (table or JSON);
  ``evidence``, ``portal``, ``unitref``: checking those rows and matching their units;
- ``scoring``: one component's score for one unit (portal, evidence, recomputed, not applicable, missing);
  ``arithmetic``: exact points, half-up rounding, rescaling, ranks; ``grading``: ``grade_index`` (pure);
  ``reconcile``: portal against recomputation, evidence against dossiers; ``officials``: officials and
  citizens beside the index; ``tables``: the output tables; ``quarter``: a quarter folder end to end;
  ``scheme``: which rule set grades a quarter and the note of a lapsed one.

Readings where the texts leave room (each module's docstring has its own; collected here):

1. N = dossiers received in the period (calendar days); "on time" = finished on or before the due date by
   the period's last day, or open at its end and due on or after its last day; a result dated after the
   end means the dossier was open at the end.
2. An absent column (or file) is "no information": the components needing it are missing. Without a
   complaints file 6.1, 6.2 and 6.3 are missing (6.3 needs to know which dossiers petitions name); with it, a
   unit without petitions in the period scores 6 on 6.1 and 6.2.
3. A petition received in the period without a due date is in 6.1's and 6.2's denominator ("petitions in scope")
   and is not on time, with a warning (as a dossier of N without a due date is not on time in 2.1).
4. 6.3: "no petition row names it" looks at every row of the complaints file, whatever its date; ratings
   other than the known labels are read as "not unsatisfied" with a warning.
5. A ``*`` evidence row applies to every unit without its own row and to the province, for every component
   (for one counted from dossiers or petitions, instead of each unit's counts; a difference is a finding); the
   province-wide components (1.1–1.3, 5.3) also fall back on the province's own row.
6. 3.2/4.2 numerators counted from dossiers: distinct ``procedure`` cells with an online dossier / an online
   payment (among dossiers carrying a fee when ``fee_required`` exists) in N; the province counts distinct
   procedures over all units. A count above the evidence's denominator is kept (points cap at the maximum)
   and reported as a finding.
7. ``empty_denominator = not_applicable`` always leaves the component out and rescales; ``missing_component``
   applies to missing data only (``count_zero``: 0 points out of the maximum).
8. Rescaling: sum of the known components' rounded points × 100 / their maxima, half-up to 2 decimals once;
   groups are shown unscaled; the band is read from the rounded index.
9. Ranks within a level, competition style (1, 2, 2, 4). The province row, ``huyen`` units (abolished
   level: warning, graded for reference, not ranked) and units without a recognised level are not ranked.
10. The province's own index pools all units' dossiers and petitions (``huyen`` units included), under the
    profile's ``province_unit_id`` (default ``TINH``); a unit with that id in units.csv is an input error.
11. Portal: ``portal_first`` uses a portal score even where the local data would leave the component out;
    ``recompute`` keeps it only for reconciliation. Differences > 0.1 point (exactly 0.1 is not) are warnings
    listing the dossiers or petitions that explain them. Group totals and totals are cross-checks.
12. Officials: per (official, unit), dossiers of N handled, the on-time share (as 2.1), petitions about
    conduct received in the period naming one of their dossiers (not those verified untrue). No points.
13. An unreadable date is never read as "no result yet": a dossier whose finish date cannot be read stays in N for
    the other components and is left out of 2.1 and 6.3 (numerator and denominator), with the loader's warning; a
    petition whose due or answer date cannot be read is left out of 6.1 and 6.2 (``nd118_petition_unreadable``).
"""

from tthc.parameters.ruleset import scheme as register_scheme

from .grading import IndexResult, UnitIndex, grade_index
from .quarter import IndexInputs, grade_index_quarter, grade_loaded, load_index_quarter
from .rulefile import build_ruleset
from .scheme import lapsed_note, ruleset_for_quarter

__all__ = ["IndexInputs", "IndexResult", "UnitIndex", "grade_index", "grade_index_quarter", "grade_loaded",
           "lapsed_note", "load_index_quarter", "ruleset_for_quarter"]

register_scheme("nd118")(build_ruleset)  # rule files saying ``scheme: nd118`` are built here
