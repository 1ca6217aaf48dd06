"""``tthc grade --compare-policy``: the units whose result would change under other policies."""

from __future__ import annotations

import argparse
import sys

from tthc.cli.common import USER_ERRORS, fail, report_input_error
from tthc.errors import EXIT_INPUT
from tthc.input.findings import InputError
from tthc.parameters.policies import parse_assignments


def print_comparison(args: argparse.Namespace, target, result) -> int:
    """``tthc grade --compare-policy``: grade again with the alternative policies (on top of the official
    ones) and list every unit whose result would change. Writes nothing."""
    from tthc.audit.compare import compare_policies, render_changes
    from tthc.schemes.tt01.engine import grade_quarter

    try:
        alternative_layer = parse_assignments(item for group in args.compare_policy for item in group)
        alternative = grade_quarter(
            target.data_dir,
            target.quarter,
            target.rules,
            {**target.policies, **alternative_layer},
            base_policies=target.profile.policies if target.profile else None,
        )
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
