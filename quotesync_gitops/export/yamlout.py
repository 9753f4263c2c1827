"""Plain values → YAML text that the manifest loader reads back as exactly those values.

The loader resolves scalars by the YAML 1.2 core schema (``manifest/yamlscalars``); PyYAML's
emitter decides quoting by YAML 1.1. Where the two disagree (``1e5``, ``0o17`` are strings in
1.1 and numbers in 1.2) a string is double-quoted here, so every string stays a string.
Strings with line breaks are literal blocks when YAML can hold them exactly, otherwise
double-quoted with escapes.

:class:`Flow` and :class:`FlowList` (``kinds/export_parts.py``, where the kinds' exports use
them) mark values written on one line (``{erpField: x, ...}``,
``[ANNA, BJORN]``), as the README's examples are. Secrets cannot be written: a
:class:`~quotesync_gitops.secrets.Secret` or ``UNREADABLE`` is refused.
"""

from __future__ import annotations

import re

import yaml

from quotesync_gitops.kinds.export_parts import EnvReference, Flow, FlowList
from quotesync_gitops.manifest.yamlscalars import resolve_plain
from quotesync_gitops.secrets import is_sensitive

STR_TAG = "tag:yaml.org,2002:str"
#: Characters YAML treats as line breaks or that PyYAML would write raw although a reader
#: changes them (NEL, LS, PS, BOM, C0/C1 controls other than tab and newline).
_NEEDS_ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
#: No folding of long lines: a value stays on one line, as written in the CRM.
_WIDTH = 1_000_000


class _Dumper(yaml.SafeDumper):
    """SafeDumper with lists indented under their key (``  - item``), as in the examples."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        """Double quotes where PyYAML picks single ones (``"NO"``, ``"2026-01-01"``, as the
        examples write them), unless double quotes would spell characters as escapes."""
        style: str = super().choose_scalar_style()
        value = getattr(self.event, "value", "")
        if style == "'" and not any(ord(ch) > 0xFFFD for ch in value):
            return '"'
        return style


def stays_string(text: str) -> bool:
    """Whether ``text`` written plain reads back as the same string under YAML 1.2 core."""
    value = resolve_plain(text)
    return isinstance(value, str) and value == text


def _str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if not stays_string(value) or _NEEDS_ESCAPES.search(value):
        style = '"'
    elif "\n" in value:
        style = "|"  # PyYAML falls back to double quotes when a block cannot hold it exactly
    return dumper.represent_scalar(STR_TAG, value, style=style)


def _float(dumper: _Dumper, value: float) -> yaml.ScalarNode:
    """Whole numbers as integers (``14990``, not ``14990.0``); others as Python writes them."""
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


def _flow(dumper: _Dumper, value: Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


def _flow_list(dumper: _Dumper, value: FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _refuse(dumper: _Dumper, value: object) -> yaml.Node:
    raise TypeError(f"refusing to write a {type(value).__name__} value to a manifest")


_Dumper.add_representer(str, _str)
_Dumper.add_representer(EnvReference, _str)
_Dumper.add_representer(float, _float)
_Dumper.add_representer(Flow, _flow)
_Dumper.add_representer(FlowList, _flow_list)
_Dumper.add_multi_representer(object, _refuse)


def to_yaml(document: object) -> str:
    """One YAML document (no ``---``), keys in the order given, UTF-8 characters kept."""
    _check_no_secrets(document)
    text: str = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=_WIDTH,
    )
    return text


def _check_no_secrets(value: object) -> None:
    if is_sensitive(value):
        raise TypeError("refusing to write a secret to a manifest")
    if isinstance(value, dict):
        for item in value.values():
            _check_no_secrets(item)
    elif isinstance(value, list):
        for item in value:
            _check_no_secrets(item)
