"""``tthc grade --compare-policy``: the units whose result would change under other policies."""

from __future__ import annotations

import sys

from tthc.cli.common import USER_ERRORS, fail, report_input_error
from tthc.errors import EXIT_INPUT
from tthc.input.findings import InputError


def print_comparison(result, alternative_run) -> int:
    """``tthc grade --compare-policy``: grade again with the alternative policies (on top of the run's
    own) and list every unit whose result would change. Writes nothing."""
    from tthc.audit.compare import compare_policies, render_changes
    from tthc.run.grading import grade_run

    try:
        alternative = grade_run(alternative_run)
    except USER_ERRORS as exc:
        return fail(str(exc))
    except InputError as exc:
        report_input_error(exc)
        return EXIT_INPUT
    print()
    sys.stdout.write(
        render_changes(compare_policies(result, alternative), result.policies, alternative.policies)
    )
    return 0
