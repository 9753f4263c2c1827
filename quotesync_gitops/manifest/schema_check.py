"""Validate documents against the kind's JSON Schema and say what is wrong in plain words.

jsonschema finds every violation; this module points each at the right node (the key for an
unknown field, the value for a wrong one, the mapping for a missing one) and words it. Values
that came from ``${env:}``/``${file:}`` are never quoted back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path as FsPath
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from quotesync_gitops.manifest.schemagen.parts import (
    CURRENCY_PATTERN,
    DATE_PATTERN,
    FIELD_NAME_PATTERN,
    INTERVAL_PATTERN,
    URL_PATTERN,
)
from quotesync_gitops.manifest.wording import (
    dotted,
    expected_types,
    kind_of,
    suggestion,
    type_hint,
)
from quotesync_gitops.manifest.yamlparse import Path
from quotesync_gitops.model import Anchor

SCHEMA_DIR = FsPath(__file__).resolve().parent.parent / "schemas"

PATTERN_WORDS = {
    DATE_PATTERN: "a date written YYYY-MM-DD, such as 2026-01-31",
    INTERVAL_PATTERN: "a time span written HH:MM:SS, such as 00:15:00",
    CURRENCY_PATTERN: "a three-letter ISO 4217 currency code in capitals, such as NOK or EUR",
    URL_PATTERN: "a web address starting with http:// or https://",
    FIELD_NAME_PATTERN: "a field name (letters, digits and _, starting with a letter)",
}


def schema_file(kind: str) -> FsPath:
    return SCHEMA_DIR / f"{kind}.schema.json"


@cache
def kind_schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_file(kind).read_text(encoding="utf-8"))
    return loaded


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(kind_schema(kind))


@dataclass(frozen=True)
class SchemaProblem:
    """A schema violation at a path of a document, worded."""

    path: Path
    message: str
    at: Anchor = "value"


def check_document(kind: str, document: Any, secret_paths: frozenset[Path]) -> list[SchemaProblem]:
    """Every schema violation of ``document`` (secrets revealed, products left out)."""
    out: list[SchemaProblem] = []
    for error in _validator(kind).iter_errors(document):
        out.extend(_explain(error, secret_paths))
    return out


def _explain(error: ValidationError, secrets: frozenset[Path]) -> Iterator[SchemaProblem]:
    path: Path = tuple(error.absolute_path)
    keyword = error.validator
    value: Any = error.instance
    rule: Any = error.validator_value
    field = dotted(path)
    secret = path in secrets
    if keyword == "uniqueItems":
        return  # the reference checks name the repeated entry itself
    if keyword in ("anyOf", "oneOf"):
        yield from _explain_alternatives(error, secrets)
    elif keyword == "additionalProperties" and isinstance(value, dict):
        known = list(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
        for extra in value:
            if extra not in known:
                yield SchemaProblem(
                    (*path, extra),
                    f"unknown field {extra!r} in {field}{suggestion(extra, known)}",
                    "key",
                )
    elif keyword == "required" and isinstance(value, dict):
        for name in rule:
            if name not in value:
                yield SchemaProblem(path, f"{field} is missing the required field {name!r}", "key")
    elif keyword == "type":
        yield SchemaProblem(
            path,
            f"{field} must be {expected_types(rule)}, but it is {kind_of(value)}"
            # Any connector field may be a Password (unknown offline): its value is not quoted back.
            + type_hint(value, rule, show_value=not secret and path[:2] != ("spec", "config")),
        )
    elif keyword == "enum":
        got = "" if secret else f", not {value!r}"
        hint = suggestion(value, [str(v) for v in rule]) if isinstance(value, str) else ""
        listed = ", ".join(str(v) for v in rule)
        yield SchemaProblem(
            path, f"{field} must be one of: {listed}{got}" + (hint if "mean" in hint else "")
        )
    elif keyword == "const":
        yield SchemaProblem(path, f"{field} must be {rule!r}")
    elif keyword == "maxLength":
        size = "" if secret else f" ({len(value)} characters)"
        yield SchemaProblem(path, f"{field} is too long{size}: the CRM allows at most {rule}")
    elif keyword == "minLength":
        yield SchemaProblem(path, f"{field} must not be empty")
    elif keyword == "pattern":
        got = "" if secret else f", not {value!r}"
        yield SchemaProblem(path, f"{field} must be {PATTERN_WORDS.get(rule, rule)}{got}")
    elif keyword in ("minimum", "exclusiveMinimum"):
        yield SchemaProblem(path, f"{field} must be at least {rule}, not {value}")
    elif keyword in ("maximum", "exclusiveMaximum"):
        yield SchemaProblem(path, f"{field} must be at most {rule}, not {value}")
    elif keyword == "propertyNames":
        yield from _explain_names(error, path)
    else:
        yield SchemaProblem(path, f"{field} is not valid ({keyword}: {rule})")


def _explain_names(error: ValidationError, path: Path) -> Iterator[SchemaProblem]:
    """A mapping key breaks the rule for names (propertyNames)."""
    for sub in error.context or []:
        name = str(sub.instance)
        where = dotted((*path, name))
        if sub.validator == "pattern":
            words = PATTERN_WORDS.get(str(sub.validator_value), str(sub.validator_value))
            message = f"{name!r} in {dotted(path)} is not {words}"
        elif sub.validator == "maxLength":
            message = f"{where}: the name is longer than {sub.validator_value} characters"
        else:
            message = f"{where}: a name must not be empty"
        yield SchemaProblem((*path, name), message, "key")


def _explain_alternatives(
    error: ValidationError, secrets: frozenset[Path]
) -> Iterator[SchemaProblem]:
    """anyOf: explain the branch whose type the value has, or list what would be accepted."""
    rule: Any = error.validator_value
    branches: list[Any] = list(rule)
    fitting = [i for i, branch in enumerate(branches) if _fits(error.instance, branch)]
    if len(fitting) == 1:
        for sub in error.context or []:
            if sub.relative_schema_path and sub.relative_schema_path[0] == fitting[0]:
                yield from _explain(sub, secrets)
        return
    words = " or ".join(_branch_words(b) for b in branches)
    path: Path = tuple(error.absolute_path)
    yield SchemaProblem(path, f"{dotted(path)} must be {words}")


def _fits(value: Any, branch: Any) -> bool:
    if not isinstance(branch, dict):
        return False
    if "const" in branch:
        return bool(value == branch["const"])
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
    }
    check = checks.get(str(branch.get("type")))
    return check(value) if check else False


def _branch_words(branch: Any) -> str:
    if isinstance(branch, dict) and "const" in branch:
        return repr(branch["const"])
    if isinstance(branch, dict) and branch.get("type") == "object":
        return "a mapping with " + " and/or ".join(branch.get("properties", {}))
    if isinstance(branch, dict) and "type" in branch:
        return expected_types(branch["type"])
    return "something else"
