"""Configuration files (rule sets, profiles): strict YAML reading and schema problems in Vietnamese.

A problem names the file (relative to the project when it lies there), the key path
(``indicators[3].points.before``), what was expected and the value found:
``parameters/rules/x.yaml: indicators[3].points.before (chỉ số 4): cần một số nguyên từ 0 đến 2, nhận 'hai'``.
The schemas themselves are pydantic v2 models (``tt01_schema.py``, ``profiles.py``); this module turns their
validation errors into such problems.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from tthc import PROJECT_ROOT

_NONE = object()  # a problem with no value to show (a missing key)
#: Problems shown in one message; the rest are counted.
SHOWN = 12


@dataclass(frozen=True)
class Problem:
    loc: tuple[str | int, ...]
    expected: str
    value: Any = _NONE


class SchemaProblems(Exception):
    """Problems found in one configuration file (the caller names the file)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.expected for p in self.problems))


class Strict(BaseModel):
    """A configuration mapping: no unknown key, no silent conversion of a value's type."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --- value types with Vietnamese messages ------------------------------------------------------------------

def _fail(kind: str, expected: str) -> PydanticCustomError:
    return PydanticCustomError(kind, expected)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail("text", "cần một chuỗi văn bản")
    if not value.strip():
        raise _fail("text", "không được để trống")
    return value


def _number(value: Any) -> Decimal:
    if not is_number(value):
        raise _fail("number", "cần một số (viết bằng chữ số, dấu chấm thập phân)")
    return Decimal(str(value))


def percent_hint(value: Any) -> str:
    """`` (viết 0.5 thay cho '50%')`` for a percentage written as text, else ``""``."""
    if not isinstance(value, str) or not value.strip().endswith("%"):
        return ""
    try:
        share = Decimal(value.strip()[:-1].strip().replace(",", ".")) / 100
    except InvalidOperation:
        return ""
    return f" (viết {share.normalize():f} thay cho '{value}')"


def _share(value: Any) -> Any:
    if not is_number(value) or not 0 <= value <= 1:
        raise _fail("share", "cần một tỷ lệ từ 0 đến 1" + percent_hint(value))
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise _fail("date", "ngày không có thật (cần dạng NĂM-THÁNG-NGÀY, ví dụ 2019-01-08)") from None
    raise _fail("date", "cần một ngày dạng NĂM-THÁNG-NGÀY, ví dụ 2019-01-08")


Text = Annotated[str, BeforeValidator(_text)]
Number = Annotated[Decimal, BeforeValidator(_number)]
Share = Annotated[Any, BeforeValidator(_share)]  # kept as written in the file (the engine reads it as text)
IsoDate = Annotated[date | None, BeforeValidator(_iso_date)]  # ``null``: no bound


def int_between(low: int, high: int | None = None, optional: bool = False):
    """An integer type within [low, high] (no bool, no 2.0, no '2'); with ``optional``, ``null`` too."""
    expected = f"cần một số nguyên từ {low} đến {high}" if high is not None else f"cần một số nguyên từ {low} trở lên"

    def check(value: Any) -> int | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            raise _fail("integer", expected)
        return value

    return Annotated[int | None if optional else int, BeforeValidator(check)]


# --- pydantic errors → problems ----------------------------------------------------------------------------

_BUILTIN = {
    "missing": "thiếu khóa bắt buộc",
    "string_type": "cần một chuỗi văn bản",
    "dict_type": "cần một bảng khóa: giá trị",
    "model_type": "cần một bảng khóa: giá trị",
    "model_attributes_type": "cần một bảng khóa: giá trị",
    "list_type": "cần một danh sách",
    "bool_type": "cần true hoặc false",
    "int_type": "cần một số nguyên",
    "string_too_short": "không được để trống",
}


def validate(model: type[BaseModel], data: Any, prefix: tuple = ()) -> tuple[BaseModel | None, list[Problem]]:
    """The validated model, or None and the problems (key paths under ``prefix``)."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [_problem(model, err, prefix) for err in exc.errors()]


def _problem(model: type[BaseModel], err: dict, prefix: tuple) -> Problem:
    loc = tuple(s for s in err["loc"] if s != "[key]")
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return Problem(prefix + loc, "thiếu khóa bắt buộc")
    if kind == "extra_forbidden":
        known = allowed_keys(model, loc[:-1])
        listed = f"; các khóa hợp lệ: {', '.join(known)}" if known else ""
        return Problem(prefix + loc, "khóa không dùng được ở đây" + listed)
    if "[key]" in err["loc"]:
        return Problem(prefix + loc, "tên khóa phải là chữ", loc[-1] if loc else _NONE)
    if kind == "literal_error":
        expected = f"cần một trong: {ctx.get('expected', '')}"
    elif kind == "too_short":
        expected = f"cần ít nhất {ctx.get('min_length', 1)} phần tử"
    elif kind in _BUILTIN:
        expected = _BUILTIN[kind]
    elif kind == "value_error" or not err["msg"].isascii():
        expected = str(err["msg"]).removeprefix("Value error, ")
    else:
        expected = f"giá trị không hợp lệ ({err['msg']})"
    return Problem(prefix + loc, expected, err.get("input", _NONE))


def allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys the model accepts at ``loc`` (walking fields, lists and mappings), or []."""
    current: Any = model
    for step in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(step, str):
            field = current.model_fields.get(step)
            if field is None:
                return []
            current = field.annotation
        elif typing.get_origin(current) in (list, tuple) and isinstance(step, int):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


# --- wording -----------------------------------------------------------------------------------------------

def file_label(path: Path | str) -> str:
    """The file as the user knows it: relative to the current folder or the project when it lies there."""
    path = Path(path)
    resolved = path.resolve()
    for base in (Path.cwd(), PROJECT_ROOT):
        try:
            return resolved.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


def key_path(loc: Iterable[str | int]) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(gốc)"


def show_value(value: Any) -> str:
    if value is None:
        return "(để trống)"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


def describe(file: Path | str, problems: list[Problem], label: Callable[[tuple], str] | None = None,
             note: str = "") -> str:
    """One line per problem (at most ``SHOWN``): ``file: key.path: expected, nhận value``."""
    name = file_label(file)
    lines = []
    for p in problems[:SHOWN]:
        where = key_path(p.loc) + (label(p.loc) if label else "")
        found = "" if p.value is _NONE else f", nhận {show_value(p.value)}"
        lines.append(f"{name}: {where}: {p.expected}{found}")
    if len(problems) > SHOWN:
        lines.append(f"{name}: và {len(problems) - SHOWN} lỗi khác")
    if note:
        lines.append(f"{name}: {note}")
    return "\n".join(lines)


# --- YAML --------------------------------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """Safe YAML, but dates stay text (checked by the schema, with the key) and a repeated key is an error."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same on LibYAML's parser when PyYAML has it (ten times faster: every command reads the rule files);
    a file it refuses is read again by :class:`_Loader`, whose messages place the error better."""


_Loader.yaml_implicit_resolvers = _FastLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, typing.Hashable) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"khóa '{key}' lặp lại (lần đầu ở dòng {seen[key] + 1})", key_node.start_mark)
        if isinstance(key, typing.Hashable):
            seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_yaml(path: Path, error: type[Exception], what: str) -> Any:
    """The file's YAML (dates as text); ``error`` with a Vietnamese message if it cannot be read or parsed."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise error(f"Không đọc được {what} {file_label(path)}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{file_label(path)}: {what} phải là văn bản UTF-8 (byte lỗi ở vị trí {exc.start})") from exc
    return parse_yaml(text, path, error, what)


def parse_yaml(text: str, path: Path, error: type[Exception], what: str) -> Any:
    try:
        try:
            return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError:
            return yaml.load(text, Loader=_Loader)  # noqa: S506 - its message, or the same error
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{file_label(path)}: {what} không phải YAML hợp lệ{where}: {problem}") from exc
