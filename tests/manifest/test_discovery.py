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
