#!/usr/bin/env python3
"""GitLab API steps of the quotesync pipeline (.gitlab-ci.yml beside this file).

Copy to ci/quotesync_gitlab.py in your manifest repository. Standard library only.

  mr-note FILE [--reason TEXT]   post the plan as ONE merge request note, edited in place
                                 (found by its first line, the marker); without FILE, a
                                 note saying why there is no plan
  fetch-plan DIR                 download the plan reviewed in the merge request merged in
                                 $CI_COMMIT_SHA to DIR/plan.json, its allow flags (from the
                                 labels quotesync:allow-deletes / quotesync:allow-mass-changes)
                                 to DIR/allow-flags; exit 1 when there is none
  drift-issue FILE --exit-code N open or update ONE drift issue (N=2), close it (N=0)
  code-quality IN OUT            `quotesync validate --format json` output IN → a GitLab
                                 Code Quality report OUT, and the problems printed as text

The token comes from QUOTESYNC_GITLAB_TOKEN (a project access token with the api scope);
it is sent only to $CI_API_V4_URL and never printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_MARKER = "<!-- quotesync-plan -->"
DRIFT_LABEL = "quotesync-drift"
ALLOW_LABELS = {
    "quotesync:allow-deletes": "--allow-deletes",
    "quotesync:allow-mass-changes": "--allow-mass-changes",
}


class Failure(Exception):
    """A message for the job log; the step exits 1."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if not value:
        raise Failure(f"{name} is not set (this runs inside a GitLab CI job)")
    return value


class GitLab:
    def __init__(self) -> None:
        self.base = env("CI_API_V4_URL").rstrip("/")
        self.project = urllib.parse.quote(env("CI_PROJECT_ID"), safe="")
        self.token = os.environ.get("QUOTESYNC_GITLAB_TOKEN", "")
        if not self.token:
            raise Failure(
                "QUOTESYNC_GITLAB_TOKEN is not set: add a project access token with the api "
                "scope as a masked CI/CD variable (docs/ci.md)"
            )

    def call(
        self, method: str, path: str, body: Any = None, *, raw: bool = False
    ) -> tuple[Any, dict[str, str]]:
        url = f"{self.base}/projects/{self.project}{path}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("PRIVATE-TOKEN", self.token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                content = response.read()
                headers = {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise Failure(
                f"GitLab API {method} {path}: HTTP {exc.code} {detail}", exc.code
            ) from exc
        except urllib.error.URLError as exc:
            raise Failure(f"GitLab API {method} {path}: {exc.reason}") from exc
        if raw:
            return content, headers
        return json.loads(content or b"null"), headers

    def get_all(self, path: str) -> list[Any]:
        items: list[Any] = []
        page = "1"
        while page:
            sep = "&" if "?" in path else "?"
            data, headers = self.call("GET", f"{path}{sep}per_page=100&page={page}")
            items.extend(data)
            page = headers.get("x-next-page", "")
        return items


def first_line(text: str | None) -> str:
    return (text or "").split("\n", 1)[0]


def read_report(path: str, marker: str) -> str:
    if not Path(path).is_file():
        raise Failure(f"{path} was not written: see quotesync's message above")
    text = Path(path).read_text(encoding="utf-8").rstrip()
    if first_line(text) != marker:
        raise Failure(
            f"{path} does not start with {marker}: set QUOTESYNC_MARKER to match --comment-id"
        )
    return text


def mr_note(args: argparse.Namespace, marker: str) -> None:
    gitlab = GitLab()
    iid = env("CI_MERGE_REQUEST_IID")
    if args.file and Path(args.file).exists():
        body = read_report(args.file, marker)
    else:
        body = (
            f"{marker}\n## No plan: {args.reason}\n\n"
            "Nothing can be applied from this merge request until it plans."
        )
    sha = os.environ.get("CI_COMMIT_SHA", "")[:8]
    body += (
        f"\n\n<sub>Plan of {sha}, [job]({os.environ.get('CI_JOB_URL', '')}). Merging applies "
        "exactly this plan, or refuses if the CRM or the default branch changed since.</sub>"
    )
    notes = gitlab.get_all(f"/merge_requests/{iid}/notes?sort=asc&order_by=created_at")
    ours = next(
        (n for n in notes if not n.get("system") and first_line(n.get("body")) == marker), None
    )
    if ours:
        gitlab.call("PUT", f"/merge_requests/{iid}/notes/{ours['id']}", {"body": body})
        print(f"Updated the plan note {ours['id']} on !{iid}")
    else:
        note, _ = gitlab.call("POST", f"/merge_requests/{iid}/notes", {"body": body})
        print(f"Posted the plan note {note['id']} on !{iid}")


def fetch_plan(args: argparse.Namespace, plan_job: str) -> None:
    gitlab = GitLab()
    sha = env("CI_COMMIT_SHA")
    branch = env("CI_DEFAULT_BRANCH")
    mrs, _ = gitlab.call("GET", f"/repository/commits/{sha}/merge_requests")
    merged = [m for m in mrs if m.get("state") == "merged" and m.get("target_branch") == branch]
    exact = [m for m in merged if sha in (m.get("merge_commit_sha"), m.get("squash_commit_sha"))]
    if not (exact or merged):
        raise Failure(
            f"{sha[:8]} reached {branch} without a merged merge request, so no plan was "
            "reviewed; nothing was applied. Change the manifests through a merge request, or "
            "run a pipeline on the default branch by hand (it plans, then offers a manual apply)."
        )
    mr = (exact or merged)[0]
    flags = [flag for label, flag in ALLOW_LABELS.items() if label in mr.get("labels", [])]
    pipelines = gitlab.get_all(f"/merge_requests/{mr['iid']}/pipelines")
    for pipeline in sorted(pipelines, key=lambda p: p["id"], reverse=True):
        if pipeline.get("status") != "success":
            continue
        jobs = gitlab.get_all(f"/pipelines/{pipeline['id']}/jobs")
        job = next((j for j in jobs if j["name"] == plan_job and j["status"] == "success"), None)
        if job is None:
            continue
        try:
            plan, _ = gitlab.call("GET", f"/jobs/{job['id']}/artifacts/plan.json", raw=True)
        except Failure as exc:
            if exc.status == 404:
                continue  # expired, or never kept
            raise
        target = Path(args.dir)
        target.mkdir(parents=True, exist_ok=True)
        (target / "plan.json").write_bytes(plan)
        (target / "allow-flags").write_text(" ".join(flags), encoding="utf-8")
        print(f"Applying the plan reviewed in !{mr['iid']}: {job.get('web_url', job['id'])}")
        return
    raise Failure(
        f"No plan file found for !{mr['iid']} (no successful pipeline with a {plan_job} job "
        "and its plan.json artifact: it failed, was still running at the merge, or expired); "
        "nothing was applied. Run a pipeline on the default branch by hand: it plans, then "
        "offers a manual apply."
    )


def drift_issue(args: argparse.Namespace, marker: str) -> None:
    if args.exit_code not in (0, 2):
        print(f"quotesync drift exited {args.exit_code}: the issue is left as it is")
        return
    gitlab = GitLab()
    issues = gitlab.get_all(f"/issues?state=opened&labels={DRIFT_LABEL}")
    issue = next((i for i in issues if first_line(i.get("description")) == marker), None)
    job = os.environ.get("CI_JOB_URL", "")
    if args.exit_code == 2:
        body = read_report(args.file, marker) + (
            f"\n\n---\n<sub>Last checked by [this job]({job}). To undo the change in the CRM, "
            "apply the manifests (merge a merge request); if it was intended, put it into the "
            "manifests. This issue closes itself when the CRM matches again.</sub>"
        )
        if issue:
            gitlab.call("PUT", f"/issues/{issue['iid']}", {"description": body})
            print(f"Drift: updated issue #{issue['iid']}")
        else:
            created, _ = gitlab.call(
                "POST",
                "/issues",
                {
                    "title": "quotesync: the CRM was changed outside git (drift)",
                    "description": body,
                    "labels": DRIFT_LABEL,
                },
            )
            print(f"Drift: opened issue #{created['iid']}")
    elif issue:
        note = f"No drift any more: the CRM matches the manifests ([job]({job}))."
        gitlab.call("POST", f"/issues/{issue['iid']}/notes", {"body": note})
        gitlab.call("PUT", f"/issues/{issue['iid']}", {"state_event": "close"})
        print(f"In sync again: closed issue #{issue['iid']}")
    else:
        print("No drift: the CRM matches the manifests.")


def code_quality(args: argparse.Namespace) -> None:
    result = json.loads(Path(args.input).read_text(encoding="utf-8"))
    report = []
    for item in result.get("diagnostics", []):
        where = f"{item['file']}:{item['line']}:{item['column']}" if item["line"] else item["file"]
        print(f"{where}: {item['level']}: {item['message']}")
        key = f"{item['file']}:{item['line']}:{item['column']}:{item['message']}"
        report.append(
            {
                "description": item["message"],
                "check_name": "quotesync-validate",
                "fingerprint": hashlib.sha256(key.encode()).hexdigest(),
                "severity": "major" if item["level"] == "error" else "minor",
                "location": {"path": item["file"], "lines": {"begin": max(item["line"], 1)}},
            }
        )
    Path(args.output).write_text(json.dumps(report, indent=2), encoding="utf-8")
    errors = sum(1 for i in result.get("diagnostics", []) if i["level"] == "error")
    print("manifests are valid" if result.get("valid") else f"{errors} problem(s): not valid")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    note = commands.add_parser("mr-note")
    note.add_argument("file", nargs="?")
    note.add_argument("--reason", default="quotesync plan failed (see the job log)")
    fetch = commands.add_parser("fetch-plan")
    fetch.add_argument("dir")
    drift = commands.add_parser("drift-issue")
    drift.add_argument("file")
    drift.add_argument("--exit-code", type=int, required=True)
    quality = commands.add_parser("code-quality")
    quality.add_argument("input")
    quality.add_argument("output")
    args = parser.parse_args(argv)
    marker = os.environ.get("QUOTESYNC_MARKER") or DEFAULT_MARKER
    try:
        if args.command == "mr-note":
            mr_note(args, marker)
        elif args.command == "fetch-plan":
            fetch_plan(args, os.environ.get("QUOTESYNC_PLAN_JOB") or "quotesync-plan")
        elif args.command == "drift-issue":
            drift_issue(args, marker)
        else:
            code_quality(args)
    except Failure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
