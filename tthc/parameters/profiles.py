"""Profiles: one per office (``parameters/profiles/<name>.yaml``): data folder, rule set, policy choices."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tthc import PROJECT_ROOT
from tthc.errors import TthcError

PROFILES_DIR = PROJECT_ROOT / "parameters" / "profiles"
DEFAULT_PROFILE = "dien-bien-dong"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ProfileError(TthcError, ValueError):
    pass


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    data_dir: Path
    rules: str | None
    policies: dict[str, str] = field(default_factory=dict)

    def output_dir(self, quarter) -> Path:
        return PROJECT_ROOT / "outputs" / self.name / str(quarter)


def check_name(name: str) -> str:
    """A profile name is a plain slug: no path separators, no '..', nothing a shell would read."""
    if not _NAME.match(str(name)):
        raise ProfileError(f"Tên hồ sơ cấu hình (profile) '{name}' không hợp lệ: chỉ gồm chữ thường, số, '-' và '_'.")
    return str(name)


def available() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def load_profile(name: str) -> Profile:
    name = check_name(name)
    path = PROFILES_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(available()) or "(chưa có)"
        raise ProfileError(f"Không có profile '{name}' trong {PROFILES_DIR}; các profile hiện có: {known}.")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    data_dir = Path(data.get("data_dir", f"data/{name}"))
    if not data_dir.is_absolute():
        data_dir = PROJECT_ROOT / data_dir
    return Profile(
        name=name,
        title=str(data.get("title", name)),
        data_dir=data_dir,
        rules=data.get("rules"),
        policies={str(k): str(v) for k, v in (data.get("policies") or {}).items()},
    )


def profile_for_data(data_dir: Path) -> Profile | None:
    """The profile whose data folder is ``data_dir``, if any (so its policies apply to ``--data``)."""
    target = Path(data_dir).resolve()
    for name in available():
        try:
            prof = load_profile(name)
        except ProfileError:
            continue
        if prof.data_dir.resolve() == target:
            return prof
    return None
