"""The resolved run: one object made once — from the command line, a notebook's parameters cell or a batch
task — and handed to everything after it (loading, grading, outputs, notebooks, report, audit).

It holds the quarter, the profile, the data and output folders (absolute), the rule set (loaded once, chosen
by the quarter's last day unless forced), the policies resolved once (rule-set defaults ← profile ← the run's
own choices) and the period. It reads no data file.

One rule for the output folder: ``--out`` when given, else ``outputs/<profile or data folder name>/<quarter>``
under the project folder; it may not lie inside the data folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from tthc import PROJECT_ROOT
from tthc.errors import TthcError
from tthc.parameters.policies import parse_assignments, resolve_policies
from tthc.parameters.profiles import DEFAULT_PROFILE, Profile, check_name, load_profile, profile_for_data
from tthc.parameters.ruleset import RuleSet, load_ruleset, ruleset_for
from tthc.quarter import Quarter

OUTPUTS = "outputs"


class ParameterError(TthcError, ValueError):
    """A parameter of the run that is not usable (message in Vietnamese); raised before anything is read."""


@dataclass(frozen=True)
class Run:
    """A run's checked parameters. ``choices`` are the run's own policy choices (``--policy``); ``policies``
    every policy's value as resolved for this run."""

    quarter: Quarter
    name: str
    profile: Profile | None
    data_dir: Path
    out_dir: Path
    rules: RuleSet
    choices: dict[str, str] = field(default_factory=dict)
    policies: dict[str, str] = field(default_factory=dict)
    rules_choice: str | None = None  # ``--rules`` as given (a name, or an absolute .yaml path); None: by date

    @property
    def base_policies(self) -> dict[str, str]:
        """The profile's policy choices (none without a profile)."""
        return dict(self.profile.policies) if self.profile else {}

    @property
    def resolved_policies(self) -> dict[str, str]:
        return dict(self.policies)

    @property
    def period(self) -> tuple[date, date]:
        """The period's first and last day under the run's ``period`` policy (calendar quarter by default)."""
        return self.quarter.bounds(self.policies.get("period", "calendar_quarter"))

    def with_choices(self, more: Mapping[str, str]) -> Run:
        """The same run with more policy choices on top (what-if, ``--compare-policy``)."""
        choices = {**self.choices, **{str(k): str(v) for k, v in more.items()}}
        policies = resolve_policies(self.rules, self.base_policies, choices)
        return replace(self, choices=choices, policies=policies)

    def official(self) -> Run:
        """The same run without its own policy choices: the profile's and the rule set's only."""
        return replace(self, choices={}, policies=resolve_policies(self.rules, self.base_policies, {}))

    def notebook_parameters(self) -> dict:
        """Values for the notebooks' ``parameters`` cell (plain strings and a dict: papermill-safe)."""
        return {
            "quarter": str(self.quarter),
            "profile": self.profile.name if self.profile else DEFAULT_PROFILE,
            "data_dir": str(self.data_dir),
            "out_dir": str(self.out_dir),
            "policies": dict(self.choices),
            "rules": self.rules_choice,
        }


def _clean_path(value: str | os.PathLike, what: str) -> Path:
    text = os.fspath(value)
    if not text.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ParameterError(f"Đường dẫn {what} '{text!r}' không hợp lệ (rỗng hoặc có ký tự điều khiển).")
    return Path(text).expanduser().resolve()


def output_dir(name: str, quarter: Quarter | str) -> Path:
    """The default output folder of a profile (or data folder) name and a quarter."""
    return PROJECT_ROOT / OUTPUTS / name / str(quarter)


def resolve_run(
    quarter: str | Quarter,
    profile: str | None = None,
    data_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    policies: Mapping[str, str] | Iterable[str] | None = None,
    rules: str | os.PathLike | None = None,
) -> Run:
    """Check and resolve a run's parameters, without reading any data file.

    ``profile``: a name in ``parameters/profiles``; without it, the profile whose data folder is ``data_dir``
    (if any), else the default profile. ``policies``: a mapping, or ``NAME=VALUE`` texts (a name given twice
    with two values is refused). Raises a :class:`TthcError` with a one-line Vietnamese message.
    """
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(str(quarter))
    data = _clean_path(data_dir, "dữ liệu") if data_dir not in (None, "") else None
    if profile not in (None, ""):
        prof = load_profile(check_name(str(profile)))
    elif data is not None:
        prof = profile_for_data(data)
    else:
        prof = load_profile(DEFAULT_PROFILE)
    if data is None:
        data = prof.data_dir.resolve()
    name = prof.name if prof else data.name
    out = _clean_path(out_dir, "kết quả") if out_dir not in (None, "") else output_dir(name, q).resolve()
    if out == data or data in out.parents:
        raise ParameterError(
            f"Thư mục kết quả {out} không được nằm trong thư mục dữ liệu {data} (dữ liệu gốc không bị ghi đè)."
        )
    choice = None
    if rules not in (None, ""):
        text = os.fspath(rules)
        choice = str(Path(text).resolve()) if Path(text).suffix in (".yaml", ".yml") else text
    chosen_rules = choice or (prof.rules if prof else None)
    rule_set = load_ruleset(chosen_rules) if chosen_rules else ruleset_for(q.bounds()[1])
    if policies is None:
        chosen: dict[str, str] = {}
    elif isinstance(policies, Mapping):
        chosen = {str(k): str(v) for k, v in policies.items()}
    else:
        chosen = parse_assignments(policies)
    resolved = resolve_policies(rule_set, prof.policies if prof else None, chosen)
    return Run(q, name, prof, data, out, rule_set, chosen, resolved, choice)
