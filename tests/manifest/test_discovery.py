"""Which files validate reads: directories recursively, hidden ones skipped, bad paths named."""

from __future__ import annotations

from pathlib import Path

from tests.manifest.helpers import HEADER, diagnostics, quotesync, write

CONNECTOR = (
    HEADER + "kind: ErpConnector\nmetadata:\n  name: {name}\nspec:\n  url: https://x.example\n"
)


def test_default_path_is_the_current_directory(workdir: Path) -> None:
    write(
        workdir,
        {
            "a.yaml": CONNECTOR.format(name="A"),
            "deep/er/b.yml": CONNECTOR.format(name="B"),
            ".github/workflow.yaml": "on: push\n",
            "deep/.hidden/c.yaml": "not: a manifest\n",
            "notes.txt": "ignored",
        },
    )

    result = quotesync("validate")

    assert result.exit_code == 0, result.output
    assert result.stdout == "2 resources in 2 files, valid\n"


def test_missing_path_and_empty_folder_are_problems(workdir: Path) -> None:
    (workdir / "empty").mkdir()

    result = quotesync("validate", "nowhere", "empty")

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "empty: error: no manifest files (*.yaml, *.yml) in this folder",
        "nowhere: error: no such file or folder",
        "2 problems in 2 files; the manifests are not valid",
    ]


def test_problems_across_files_are_sorted_and_all_reported(workdir: Path) -> None:
    write(
        workdir,
        {
            "b.yaml": CONNECTOR.format(name="B").replace("url:", "ulr:"),
            "a.yaml": CONNECTOR.format(name="A").replace("kind: ErpConnector", "kind: Nope"),
        },
    )

    result = quotesync("validate", "b.yaml", "a.yaml")

    assert result.exit_code == 1
    assert [line.split(": error")[0] for line in diagnostics(result)] == [
        "a.yaml:2:7",
        "b.yaml:5:1",
        "b.yaml:6:3",
    ]


def test_an_explicit_file_is_read_whatever_its_name(workdir: Path) -> None:
    write(workdir, {"manifest.txt": CONNECTOR.format(name="A")})

    result = quotesync("validate", "manifest.txt")

    assert result.exit_code == 0, result.output


def test_another_tools_yaml_is_skipped_with_a_notice(workdir: Path) -> None:
    write(
        workdir,
        {
            "a.yaml": CONNECTOR.format(name="A"),
            "docker-compose.yml": "services:\n  crm:\n    image: postgres:16\n",
            "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n"
            "---\napiVersion: v1\nkind: Service\n",
        },
    )

    result = quotesync("validate")

    assert result.exit_code == 0, result.output
    notice = (
        "not a quotesync manifest (no apiVersion: quotesync.io/v1 and no quotesync kind in "
        "it), skipped; list it in .quotesyncignore to leave it out quietly"
    )
    assert result.stdout.splitlines() == [
        f"docker-compose.yml: notice: {notice}",
        f"k8s/deploy.yaml: notice: {notice}",
        "1 resource in 1 file, valid",
    ]
    github = quotesync("validate", "--format", "github")
    assert f"::notice file=docker-compose.yml::{notice}" in github.stdout.splitlines()


def test_yaml_that_means_to_be_a_manifest_is_never_skipped(workdir: Path) -> None:
    write(
        workdir,
        {
            "no-version.yaml": "kind: ErpConnector\nmetadata:\n  name: A\nspec:\n  url: x\n",
            "typo.yaml": "apiVersion: v1\nkind: ErpConnector\nmetadata:\n  name: B\n",
            "mixed.yaml": "services: {}\n---\n" + CONNECTOR.format(name="C"),
        },
    )

    result = quotesync("validate")

    assert result.exit_code == 1
    assert sorted({line.split(": ")[0] for line in diagnostics(result)}) == [
        "mixed.yaml:1:1", "no-version.yaml:1:1", "typo.yaml:1:13",
    ]  # fmt: skip
    assert "notice" not in result.stdout


def test_quotesyncignore_leaves_files_and_folders_out(workdir: Path) -> None:
    write(
        workdir,
        {
            "manifests/.quotesyncignore": "# not ours\ndocker-compose.yml\ndrafts/\n"
            "*.example.yaml\nold/legacy.yaml\n",
            "manifests/a.yaml": CONNECTOR.format(name="A"),
            "manifests/docker-compose.yml": "services: {}\n",
            "manifests/drafts/broken.yaml": "kind: [unclosed\n",
            "manifests/sub/b.example.yaml": "kind: Nope\n",
            "manifests/old/legacy.yaml": "kind: Nope\n",
            "manifests/sub/old/legacy.yaml": CONNECTOR.format(name="Kept"),
            "manifests/sub/.quotesyncignore": "kept-out.yaml\n",
            "manifests/sub/kept-out.yaml": "kind: Nope\n",
        },
    )

    result = quotesync("validate", "manifests")

    assert result.exit_code == 0, result.output
    assert result.stdout == "2 resources in 2 files, valid\n"
    named = quotesync("validate", "manifests/old/legacy.yaml")
    assert named.exit_code == 1, "a file named on the command line is always read"


def test_a_named_file_or_a_folder_of_other_yaml_only_is_an_error(workdir: Path) -> None:
    write(workdir, {"other/docker-compose.yml": "services: {}\n", "vars.json": '{"a": 1}\n'})

    named = quotesync("validate", "vars.json")
    folder = quotesync("validate", "other")

    assert named.exit_code == 1 and "vars.json:1:1: error: the document has no apiVersion" in (
        named.stdout
    )
    assert folder.exit_code == 1
    assert folder.stdout.splitlines()[:2] == [
        "other: error: no quotesync manifests here: every YAML file was skipped as another tool's",
        "other/docker-compose.yml: notice: not a quotesync manifest (no apiVersion: "
        "quotesync.io/v1 and no quotesync kind in it), skipped; list it in .quotesyncignore to "
        "leave it out quietly",
    ]
