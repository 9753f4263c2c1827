"""${env:}, ${file:}, ${var:} references: resolution, --no-env, variables, and secrecy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quotesync_gitops.errors import ManifestError
from quotesync_gitops.manifest import load_manifests, parse_var_args
from quotesync_gitops.secrets import Secret
from tests.manifest.helpers import EXAMPLES, HEADER, diagnostics, quotesync, write

SECRET = "S3cr3t-Value-9f2c"


def connection(config: str, name: str = "ERP", extra: str = "") -> str:
    return (
        HEADER + f"kind: ErpConnection\nmetadata:\n  name: {name}\nspec:\n  connector: Demo ERP\n"
        f"{extra}  config:\n{config}"
    )


def test_env_values_and_defaults_become_secrets(workdir: Path) -> None:
    write(
        workdir,
        {
            "erp.yaml": connection(
                "    user: ${env:ERP_USER:-demo}\n    password: ${env:ERP_PASSWORD}\n"
                "    url: https://${env:ERP_HOST}/api\n    plain: no references\n"
                "    literal: price is $${EUR}\n"
            )
        },
    )

    result = load_manifests(["."], env={"ERP_PASSWORD": SECRET, "ERP_HOST": "erp.example.com"})

    assert result.ok, result.diagnostics
    config = result.desired.get("ErpConnection", "ERP").spec["config"]  # type: ignore[union-attr]
    assert config["user"] == Secret("demo")
    assert config["password"] == Secret(SECRET)
    assert config["url"] == Secret("https://erp.example.com/api")
    assert config["plain"] == "no references"
    assert config["literal"] == "price is ${EUR}"


def test_file_reference_reads_relative_to_the_manifest(workdir: Path) -> None:
    write(
        workdir,
        {
            "erp/erp.yaml": connection("    password: ${file:../secrets/erp.txt}\n"),
            "secrets/erp.txt": SECRET + "\n",
        },
    )

    result = load_manifests(["."], env={})

    assert result.ok, result.diagnostics
    config = result.desired.get("ErpConnection", "ERP").spec["config"]  # type: ignore[union-attr]
    assert config["password"] == Secret(SECRET)
    assert not any("secrets/erp.txt" in f for f in result.desired.files)


def test_no_env_checks_form_only(workdir: Path) -> None:
    write(
        workdir,
        {
            "erp.yaml": connection(
                "    password: ${env:NOT_SET_IN_CI}\n    key: ${file:missing.txt}\n"
                "    bad: ${env:}\n"
            )
        },
    )

    result = quotesync("validate", "--no-env", "erp.yaml")

    assert result.exit_code == 1
    assert diagnostics(result) == [
        "erp.yaml:10:10: error: ${env:} is not a valid reference; write ${env:NAME}, "
        "${env:NAME:-default}, ${file:PATH} or ${var:NAME}, or $${ for a literal ${"
    ]


def test_no_env_placeholders_are_secrets(workdir: Path) -> None:
    write(workdir, {"erp.yaml": connection("    password: ${env:NOT_SET_IN_CI}\n")})

    result = load_manifests(["."], env={}, resolve_env=False)

    assert result.ok
    config = result.desired.get("ErpConnection", "ERP").spec["config"]  # type: ignore[union-attr]
    assert isinstance(config["password"], Secret)


def test_vars_from_the_command_line_and_files(workdir: Path) -> None:
    write(
        workdir,
        {
            "manifests/erp.yaml": connection(
                "    companyNumber: '${var:company}'\n", name="ERP ${var:stage}"
            ),
            "vars/prod.yaml": "stage: Production\ncompany: 7\n",
        },
    )

    from_file = quotesync("validate", "manifests", "--var-file", "vars/prod.yaml")
    overridden = load_manifests(
        ["manifests"], env={}, variables=parse_var_args(["company=9"], ["vars/prod.yaml"])
    )
    missing = quotesync("validate", "manifests", "--var", "stage=Test")

    assert from_file.exit_code == 0, from_file.output
    resource = overridden.desired.get("ErpConnection", "ERP Production")
    assert resource is not None
    assert resource.spec["config"]["companyNumber"] == "9"  # vars are not secret
    assert missing.exit_code == 1
    assert diagnostics(missing) == [
        "manifests/erp.yaml:8:20: error: variable company is not defined (${var:company}); "
        "pass --var company=VALUE or a --var-file that defines it"
    ]


@pytest.mark.parametrize(
    ("pairs", "files", "message"),
    [
        (
            ["novalue"],
            [],
            "--var expects NAME=VALUE with a name of letters, digits, _ . -, got 'novalue'",
        ),
        (
            ["1x=2"],
            [],
            "--var expects NAME=VALUE with a name of letters, digits, _ . -, got '1x=2'",
        ),
        ([], ["vars.yaml"], "--var-file vars.yaml: expected one mapping of NAME: value"),
        (
            [],
            ["nested.yaml"],
            "--var-file nested.yaml:1:1: variable 'a' must be text, a number or true/false",
        ),
        (
            [],
            ["absent.yaml"],
            "--var-file absent.yaml: cannot read the file: No such file or directory",
        ),
        (
            [],
            ["badname.yaml"],
            "--var-file badname.yaml:2:1: '1x' is not a valid variable name "
            "(letters, digits, _ . -; not starting with a digit)",
        ),
    ],
)
def test_bad_variable_arguments(
    pairs: list[str], files: list[str], message: str, workdir: Path
) -> None:
    write(
        workdir,
        {"vars.yaml": "- a\n- b\n", "nested.yaml": "a: {b: c}\n", "badname.yaml": "ok: 1\n1x: 2\n"},
    )

    with pytest.raises(ManifestError) as raised:
        parse_var_args(pairs, files)
    result = quotesync(
        "validate", *[f"--var={p}" for p in pairs], *[f"--var-file={f}" for f in files]
    )

    assert str(raised.value) == message
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {message}"


def test_secret_values_never_reach_any_output(workdir: Path) -> None:
    """Secrets from env stay out of every format, also when the value itself is wrong."""
    write(
        workdir,
        {
            "erp.yaml": connection(
                "    password: ${env:ERP_PASSWORD}\n    toolong: ${env:LONG_SECRET}\n",
                extra="  description: ${env:ERP_PASSWORD}${env:LONG_SECRET}\n",
            )
            + "  actors:\n    Customer:\n      crmActor: ${env:ERP_PASSWORD}\n",
            "name.yaml": HEADER + "kind: ErpConnector\nmetadata:\n  name: ${env:ERP_PASSWORD}\n"
            "spec:\n  url: ${env:ERP_PASSWORD}\n",
        },
    )
    env = {"ERP_PASSWORD": SECRET, "LONG_SECRET": SECRET * 100}
    outputs = []
    for fmt in ("text", "json", "github"):
        result = quotesync("validate", ".", "--format", fmt, env=env)
        assert result.exit_code == 1
        outputs.append(result.output)
    examples = quotesync(
        "validate", str(EXAMPLES), "--format", "json", env={"DEMO_ERP_PASSWORD": SECRET}
    )

    assert examples.exit_code == 0
    for output in [*outputs, examples.output]:
        assert SECRET not in output
    report = json.loads(outputs[1])
    messages = [d["message"] for d in report["diagnostics"]]
    assert "spec.config.toolong is too long: the CRM allows at most 1023" in messages
    assert "spec.description is too long: the CRM allows at most 254" in messages
    assert "spec.url must be a web address starting with http:// or https://" in messages
