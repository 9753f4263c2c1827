"""Check built distributions the way a user meets them: install the wheel into a fresh
virtual environment (with the pinned versions of constraints.txt) and run the README's main
job with it, outside the source tree.

    python -m build --outdir dist && python scripts/check_dist.py dist

The release workflow runs exactly this before it attaches the files to a release; the tests
run it on a wheel they build (tests/ci/test_release.py). Exit 0 when every check passes.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Files a wheel must carry besides the code: the schemas `quotesync schema` prints.
WHEEL_DATA = ("quotesync_gitops/py.typed", "quotesync_gitops/schemas/ErpConnection.schema.json")
#: Files the sdist must carry to build and test the project again.
SDIST_FILES = ("pyproject.toml", "README.md", "constraints.txt")


class CheckFailed(Exception):
    pass


def readme_main_job(readme: Path) -> list[str]:
    """The quotesync command of the README's first shell block (the "main job")."""
    block = re.search(r"```sh\n(.*?)```", readme.read_text(encoding="utf-8"), re.DOTALL)
    if block is None:
        raise CheckFailed(f"{readme} has no ```sh block")
    for part in block.group(1).split("&&"):
        words = shlex.split(part)
        if words and words[0] == "quotesync":
            return words
    raise CheckFailed(f"the first shell block of {readme} runs no quotesync command")


def one(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    if len(found) != 1:
        raise CheckFailed(f"expected one {pattern} in {dist}, found {[p.name for p in found]}")
    return found[0]


def check_contents(wheel: Path, sdist: Path, version: str) -> None:
    if f"-{version}-" not in wheel.name:
        raise CheckFailed(f"{wheel.name} is not version {version} (pyproject.toml)")
    names = set(zipfile.ZipFile(wheel).namelist())
    for wanted in WHEEL_DATA:
        if wanted not in names:
            raise CheckFailed(f"{wheel.name} lacks {wanted}")
    if any(name.startswith("tests/") for name in names):
        raise CheckFailed(f"{wheel.name} carries the tests")
    with tarfile.open(sdist) as archive:
        members = {Path(m).relative_to(Path(m).parts[0]).as_posix() for m in archive.getnames()}
    for wanted in SDIST_FILES:
        if wanted not in members:
            raise CheckFailed(f"{sdist.name} lacks {wanted}")


def run(argv: list[str], cwd: Path) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise CheckFailed(f"{' '.join(argv)} exited {done.returncode}:\n{output}")
    return output


def check_installed(wheel: Path, version: str, work: Path) -> None:
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", str(ROOT / "constraints.txt"), str(wheel)], work)  # fmt: skip
    shown = run([str(bin_dir / "quotesync"), "--version"], work)
    if version not in shown:
        raise CheckFailed(f"the installed quotesync says {shown.strip()!r}, not {version}")
    # The README's main job, in a folder of its own: only the wheel's code can answer.
    shutil.copytree(ROOT / "examples", work / "examples")
    job = readme_main_job(ROOT / "README.md")
    output = run([str(bin_dir / job[0]), *job[1:]], work)
    if "Plan: " not in output:
        raise CheckFailed(f"{' '.join(job)} printed no plan:\n{output}")
    print(f"ok: {' '.join(job)} with {wheel.name} in a fresh venv")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python scripts/check_dist.py DIST_DIR", file=sys.stderr)
        return 1
    dist = Path(argv[0])
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    try:
        wheel, sdist = one(dist, "*.whl"), one(dist, "*.tar.gz")
        check_contents(wheel, sdist, version)
        print(f"ok: {wheel.name} and {sdist.name} hold what they must")
        with tempfile.TemporaryDirectory(prefix="quotesync-dist-") as work:
            check_installed(wheel.resolve(), version, Path(work))
    except CheckFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
