"""Profiles: one per office (``parameters/profiles/<name>.yaml``): data folder, rule set, policy choices.

A profile is validated when it loads (pydantic): ``title`` and ``data_dir`` are text, ``rules`` names a
rule set of ``parameters/rules``, ``policies`` maps policy names to values that the rule set (or, without
``rules``, some rule set of ``parameters/rules``) accepts; any other key is an error naming it. The rule set
chosen by the quarter's date checks the policies again when a run starts.

A scheme that needs a profile setting of its own registers the key with its pydantic type, e.g.
``PROFILE_KEYS["province_unit_id"] = Text``; its value reaches the run as ``Profile.settings[key]``.

One malformed profile never stops the others: ``profile_for_data`` and ``scan`` report it and go on.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, create_model
from pydantic_core import PydanticCustomError

from tthc import PROJECT_ROOT
from tthc.errors import TthcError
from tthc.parameters.annual import AnnualMethod
from tthc.parameters.policies import Choices
from tthc.parameters.ruleset import RULES_DIR, RuleSetError, load_ruleset, ruleset_path, rulesets
from tthc.parameters.ruleset import available as rule_names
from tthc.parameters.validation import Problem, SchemaProblems, Strict, Text, describe, file_label, read_yaml, validate

PROFILES_DIR = PROJECT_ROOT / "parameters" / "profiles"
DEFAULT_PROFILE = "dien-bien-dong"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: Profile keys added by schemes: name → pydantic type (see the module's docstring). ``province_unit_id``: the id
#: under which the NĐ 118/2025 index reports the province's own figures (default ``TINH``); ``annual_method``:
#: the year's (``tthc.parameters.annual``).
PROFILE_KEYS: dict[str, Any] = {"province_unit_id": Text, "annual_method": AnnualMethod}


class ProfileError(TthcError, ValueError):
    pass


def _choices(value: Any) -> Any:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PydanticCustomError("policies", "cần một bảng TÊN_CHÍNH_SÁCH: GIÁ_TRỊ (ví dụ population: "
                                              "resolved_or_overdue)")
    return value


class ProfileFile(Strict):
    title: Text | None = None
    data_dir: Text | None = None
    rules: Text | None = None
    policies: Annotated[dict[str, Text], BeforeValidator(_choices)] = {}


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    data_dir: Path
    rules: str | None
    policies: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # keys registered by schemes (PROFILE_KEYS)

    def output_dir(self, quarter) -> Path:
        return PROJECT_ROOT / "outputs" / self.name / str(quarter)


def check_name(name: str) -> str:
    """A profile name is a plain slug: no path separators, no '..', nothing a shell would read."""
    if not _NAME.match(str(name)):
        raise ProfileError(f"Tên hồ sơ cấu hình (profile) '{name}' không hợp lệ: chỉ gồm chữ thường, số, '-' và '_'.")
    return str(name)


def available() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def profile_path(name: str) -> Path:
    return PROFILES_DIR / f"{name}.yaml"


def load_profile(name: str) -> Profile:
    """The validated profile; ``ProfileError`` naming the file and the key, or ``RuleSetError`` for its rule set."""
    name = check_name(name)
    path = profile_path(name)
    if not path.is_file():
        known = ", ".join(available()) or "(chưa có)"
        raise ProfileError(f"Không có profile '{name}' trong {file_label(PROFILES_DIR)}; các profile hiện có: {known}.")
    data = read_yaml(path, ProfileError, "tệp profile")
    try:
        return _build(name, path, {} if data is None else data)
    except SchemaProblems as exc:
        raise ProfileError(describe(path, exc.problems)) from None


def _model() -> type[ProfileFile]:
    if not PROFILE_KEYS:
        return ProfileFile
    return create_model("ProfileFile", __base__=ProfileFile, **{k: (t | None, None) for k, t in PROFILE_KEYS.items()})


def _rule_sets_that_load() -> list:
    """The rule sets of ``parameters/rules`` that load (loading them registers their schemes' profile keys)."""
    found = []
    for path in sorted(RULES_DIR.glob("*.yaml")):
        try:
            found.append(load_ruleset(path))
        except RuleSetError:
            continue  # reported when it is used; a profile naming another rule set does not depend on it
    return found


def _build(name: str, path: Path, data: Any) -> Profile:
    _rule_sets_that_load()  # registers the schemes and their profile keys
    if not isinstance(data, dict):
        raise SchemaProblems([Problem((), "cần một bảng khóa: giá trị (title, data_dir, rules, policies)", data)])
    model, problems = validate(_model(), data)
    if problems:
        raise SchemaProblems(problems)
    if model.rules is None:
        candidates = rulesets()  # the quarter's date will choose among them: each must load
    else:
        if not ruleset_path(model.rules).is_file():
            names = ", ".join(rule_names()) or "(chưa có)"
            raise SchemaProblems([Problem(("rules",), f"cần tên một bộ quy tắc trong {file_label(RULES_DIR)}: {names}",
                                          model.rules)])
        candidates = [load_ruleset(model.rules)]
    raise_policy_problems(model.policies, candidates)
    data_dir = Path(model.data_dir or f"data/{name}")
    return Profile(
        name=name,
        title=model.title or name,
        data_dir=data_dir if data_dir.is_absolute() else PROJECT_ROOT / data_dir,
        rules=model.rules,
        policies=Choices(model.policies, source=f"{file_label(path)}, khóa policies"),
        settings={k: getattr(model, k) for k in PROFILE_KEYS if getattr(model, k, None) is not None},
    )


def raise_policy_problems(choices: dict[str, str], candidates: list) -> None:
    """Each choice names a policy of some candidate rule set, with a value that rule set accepts."""
    problems = []
    for name, value in choices.items():
        having = [rs for rs in candidates if name in rs.policies]
        if not having:
            names = sorted({p for rs in candidates for p in rs.policies})
            where = candidates[0].id if len(candidates) == 1 else "nào trong " + file_label(RULES_DIR)
            problems.append(Problem(("policies", name), f"không có chính sách này trong bộ quy tắc {where}; các "
                                                        f"chính sách: {', '.join(names)}"))
            continue
        if not any(_accepts(rs, name, value) for rs in having):
            allowed = dict.fromkeys(str(v) for rs in having for v in getattr(rs.policies[name], "values", ()))
            expected = f"cần một trong các giá trị: {', '.join(allowed)}" if allowed else "giá trị không hợp lệ"
            problems.append(Problem(("policies", name), expected, value))
    if problems:
        raise SchemaProblems(problems)


def _accepts(rule_set, name: str, value: str) -> bool:
    try:
        rule_set.policies[name].resolve(value)
    except RuleSetError:
        return False
    return True


def scan(warn: Callable[[str], None] | None = None) -> tuple[list[Profile], dict[str, str]]:
    """Every profile that loads, and the message of each that does not (passed to ``warn`` too)."""
    good, bad = [], {}
    for name in available():
        try:
            good.append(load_profile(name))
        except (ProfileError, RuleSetError) as exc:
            bad[name] = str(exc)
            if warn:
                warn(f"bỏ qua profile '{name}': {exc}")
    return good, bad


def profile_for_data(data_dir: Path, warn: Callable[[str], None] | None = None) -> Profile | None:
    """The profile whose data folder is ``data_dir``, if any (so its policies apply to ``--data``).

    A malformed profile is reported (``warn``, by default on stderr) and skipped, unless it is the one whose
    data folder this is: then its error is raised, since grading without its choices would be wrong.
    """
    warn = warn or _stderr
    target = Path(data_dir).resolve()
    for name in available():
        try:
            prof = load_profile(name)
        except (ProfileError, RuleSetError) as exc:
            if _claims(name, target):
                raise ProfileError(f"Profile '{name}' dùng thư mục dữ liệu {file_label(target)} nhưng không dùng "
                                   f"được (sửa tệp profile rồi chạy lại):\n{exc}") from exc
            warn(f"bỏ qua profile '{name}': {exc}")
            continue
        if prof.data_dir.resolve() == target:
            return prof
    return None


def _claims(name: str, target: Path) -> bool:
    """Whether the (malformed) profile ``name`` names ``target`` as its data folder, as far as it can be read."""
    try:
        data = read_yaml(profile_path(name), ProfileError, "tệp profile")
    except ProfileError:
        data = None
    raw = data.get("data_dir") if isinstance(data, dict) else None
    folder = Path(raw if isinstance(raw, str) and raw.strip() else f"data/{name}")
    return (folder if folder.is_absolute() else PROJECT_ROOT / folder).resolve() == target


def _stderr(message: str) -> None:
    print(f"Cảnh báo: {message}", file=sys.stderr)
