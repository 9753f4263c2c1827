"""Hostile or odd YAML: never executed, never a traceback, always a diagnostic with a line."""

from __future__ import annotations

from pathlib import Path

from tests.manifest.helpers import HEADER, diagnostics, quotesync, write

CONNECTOR = HEADER + "kind: ErpConnector\nmetadata:\n  name: C\nspec:\n  url: https://x.example\n"


def test_python_tags_are_rejected_and_never_run(workdir: Path) -> None:
    marker = workdir / "pwned"
    write(
        workdir,
        {
            "evil.yaml": HEADER
            + "kind: ErpConnector\nmetadata:\n  name: !!python/object/new:str [C]\nspec:\n"
            f'  url: !!python/object/apply:os.system ["touch {marker}"]\n',
        },
    )

    result = quotesync("validate", "evil.yaml")

    assert result.exit_code == 1
    assert not marker.exists()
    lines = diagnostics(result)
    assert lines[0] == (
        "evil.yaml:4:9: error: YAML tag !!python/object/new:str is not allowed: manifests hold "
        "plain values (text, numbers, true/false, lists and mappings) without tags"
    )
    assert any(
        line.startswith("evil.yaml:6:8: error: YAML tag !!python/object/apply:os.system")
        for line in lines
    )


def test_alias_bomb_stops_early(workdir: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    write(workdir, {"bomb.yaml": "\n".join(levels) + "\n"})

    result = quotesync("validate", "bomb.yaml")

    assert result.exit_code == 1
    assert diagnostics(result) == [
        "bomb.yaml:6:8: error: aliases expand to more than 100,000 values; this looks like an "
        "alias bomb"
    ]


def test_deep_nesting_is_refused(workdir: Path) -> None:
    write(workdir, {"deep.yaml": "spec: " + "[" * 5000 + "]" * 5000 + "\n"})

    result = quotesync("validate", "deep.yaml")

    # Our own bound (64 levels) or libyaml's (newer PyYAML builds stop at their own depth first):
    # either way one error on line 1 that names the nesting, exit 1. The wording of the library's
    # message is not ours to pin.
    assert result.exit_code == 1
    [problem] = diagnostics(result)
    assert problem.startswith("deep.yaml:1:")
    assert ": error: " in problem
    assert "nest" in problem.lower()


def test_file_over_the_size_bound_is_not_read(workdir: Path) -> None:
    with open(workdir / "huge.yaml", "wb") as handle:
        handle.truncate(51 * 1024 * 1024)  # sparse: no time spent writing it

    result = quotesync("validate", "huge.yaml")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "huge.yaml: error: the file is larger than 50 MB; split it up"
    )


def test_non_utf8_bytes_point_at_the_byte(workdir: Path) -> None:
    (workdir / "latin1.yaml").write_bytes(
        CONNECTOR.replace("name: C", "name: Bj\xf8rn").encode("latin-1")
    )

    result = quotesync("validate", "latin1.yaml")

    assert result.exit_code == 1
    assert diagnostics(result) == [
        "latin1.yaml:4:11: error: the file is not UTF-8 text (byte 0xF8); save it as UTF-8"
    ]


def test_control_characters_are_reported(workdir: Path) -> None:
    write(workdir, {"ctl.yaml": CONNECTOR.replace("name: C", "name: 'C\x07'")})

    result = quotesync("validate", "ctl.yaml")

    assert result.exit_code == 1
    assert diagnostics(result) == [
        "ctl.yaml:4:11: error: cannot read the file: control characters are not allowed (U+0007)"
    ]


def test_undefined_alias_and_complex_keys(workdir: Path) -> None:
    write(
        workdir,
        {
            "odd.yaml": CONNECTOR
            + "---\n"
            + CONNECTOR.replace("name: C", "name: *nowhere")
            + "---\n? [a, b]\n: c\n"
        },
    )

    result = quotesync("validate", "odd.yaml")

    assert result.exit_code == 1
    assert diagnostics(result)[:2] == [
        "odd.yaml:11:9: error: alias *nowhere refers to no anchor &nowhere written before it "
        "(or to a value that contains the alias itself)",
        "odd.yaml:11:9: error: metadata.name must be text, but it is empty; write a value "
        "after the colon, or remove the line",
    ]
    assert (
        "odd.yaml:15:3: error: mapping keys must be plain names, not lists, mappings or "
        "aliases" in diagnostics(result)
    )


def test_yaml_12_scalars_keep_norway_and_times_as_text(workdir: Path) -> None:
    """``NO`` is not false, ``12:00:00`` is not 43200, dates stay strings."""
    write(
        workdir,
        {
            "sync.yaml": HEADER + "kind: SyncSettings\nmetadata:\n  name: default\nspec:\n"
            "  interval: 12:00:00\n",
            "erp.yaml": HEADER + "kind: ErpConnection\nmetadata:\n  name: E\nspec:\n"
            "  connector: C\n  actors:\n    Customer:\n      crmActor: Contact\n"
            "      mappings:\n        - {erpField: country, crmField: contact.country, "
            "direction: toCrm}\n  listMappings:\n    - actor: Customer\n      erpField: country\n"
            "      items:\n        - {erpItem: NO, crmItem: Norway}\n        - {erpItem: 1, "
            "crmItem: Sweden}\n",
        },
    )

    result = quotesync("validate", ".")

    assert result.exit_code == 0, result.output


def test_anchors_and_merge_keys_are_allowed(workdir: Path) -> None:
    write(
        workdir,
        {
            "erp.yaml": HEADER + "kind: ErpConnection\nmetadata:\n  name: E\nspec:\n"
            "  connector: C\n  actors:\n    Customer:\n      crmActor: Contact\n"
            "      mappings:\n        - &both {erpField: customerNo, crmField: contact.number1,"
            " direction: both}\n        - <<: *both\n          erpField: name\n"
            "          crmField: contact.name\n",
        },
    )

    result = quotesync("validate", "erp.yaml")

    assert result.exit_code == 0, result.output


def test_empty_documents_and_comment_only_files_are_fine(workdir: Path) -> None:
    write(workdir, {"a.yaml": "# nothing here yet\n", "b.yaml": "---\n" + CONNECTOR + "---\n"})

    result = quotesync("validate", ".")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 resource in 2 files, valid"
