"""examples/ci/gitlab/quotesync_gitlab.py, run as the GitLab jobs run it, against a small
fake of the GitLab REST API on 127.0.0.1: one merge request note updated in place, the
reviewed plan fetched for the merge, one drift issue opened, updated and closed."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from quotesync_gitops.render.markdown import COMMENT_MARKER
from tests.ci.workflows import GITLAB_HELPER

TOKEN = "glpat-fake-Qx81"
PROJECT = "acme%2Fcrm-settings"
PAGE_SIZE = 2  # smaller than GitLab's 100, so the helper's paging is exercised
MERGE_SHA = "c" * 40


@dataclass
class FakeGitLab:
    notes: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    issue_notes: list[dict[str, Any]] = field(default_factory=list)
    commit_mrs: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[dict[str, Any]] = field(default_factory=list)
    jobs: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    artifacts: dict[int, bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    next_id: int = 100

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def answer(self, method: str, path: str, query: dict[str, str], body: Any) -> Any:
        self.calls.append(f"{method} {path}")
        if method == "GET" and path == "/merge_requests/5/notes":
            return self.notes
        if method == "POST" and path == "/merge_requests/5/notes":
            note = {"id": self.new_id(), "body": body["body"], "system": False}
            self.notes.append(note)
            return note
        if method == "PUT" and path.startswith("/merge_requests/5/notes/"):
            note = next(n for n in self.notes if n["id"] == int(path.rsplit("/", 1)[1]))
            note["body"] = body["body"]
            return note
        if path == f"/repository/commits/{MERGE_SHA}/merge_requests":
            return self.commit_mrs
        if path == "/merge_requests/9/pipelines":
            return self.pipelines
        if path.startswith("/pipelines/") and path.endswith("/jobs"):
            return self.jobs.get(int(path.split("/")[2]), [])
        if path.startswith("/jobs/") and path.endswith("/artifacts/plan.json"):
            return self.artifacts.get(int(path.split("/")[2]), KeyError)
        if method == "GET" and path == "/issues":
            labels = set(query.get("labels", "").split(","))
            return [
                i
                for i in self.issues
                if i["state"] == query["state"] and labels <= set(i["labels"])
            ]
        if method == "POST" and path == "/issues":
            issue = {
                "iid": self.new_id(),
                "title": body["title"],
                "state": "opened",
                "description": body["description"],
                "labels": body["labels"].split(","),
            }
            self.issues.append(issue)
            return issue
        if path.startswith("/issues/"):
            issue = next(i for i in self.issues if i["iid"] == int(path.split("/")[2]))
            if method == "POST":
                self.issue_notes.append({"issue": issue["iid"], "body": body["body"]})
                return self.issue_notes[-1]
            if body.get("state_event") == "close":
                issue["state"] = "closed"
            issue["description"] = body.get("description", issue["description"])
            return issue
        return KeyError


def _handler(fake: FakeGitLab) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            prefix = f"/api/v4/projects/{PROJECT}"
            if self.headers.get("PRIVATE-TOKEN") != TOKEN:
                return self._send(401, {"message": "401 Unauthorized"})
            if not url.path.startswith(prefix):
                return self._send(404, {"message": "404 Project Not Found"})
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            result = fake.answer(method, url.path[len(prefix) :], query, body)
            if result is KeyError:
                return self._send(404, {"message": "404 Not Found"})
            if isinstance(result, bytes):
                return self._send(200, result)
            if method == "GET" and isinstance(result, list):
                page = int(query.get("page", "1"))
                chunk = result[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
                more = len(result) > page * PAGE_SIZE
                return self._send(200, chunk, {"X-Next-Page": str(page + 1) if more else ""})
            return self._send(201 if method == "POST" else 200, result)

        def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            raw = data if isinstance(data, bytes) else json.dumps(data).encode()
            self.send_response(status)
            kind = "application/octet-stream" if isinstance(data, bytes) else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

    return Handler


@pytest.fixture
def gitlab() -> Iterator[tuple[FakeGitLab, str]]:
    fake = FakeGitLab()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    finally:
        server.shutdown()
        server.server_close()


def helper(api: str, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": "/usr/bin:/bin",
        "CI_API_V4_URL": api,
        "CI_PROJECT_ID": "acme/crm-settings",
        "CI_MERGE_REQUEST_IID": "5",
        "CI_COMMIT_SHA": MERGE_SHA,
        "CI_DEFAULT_BRANCH": "main",
        "CI_JOB_URL": "https://gitlab.example.com/acme/crm-settings/-/jobs/77",
        "QUOTESYNC_GITLAB_TOKEN": TOKEN,
    }
    done = subprocess.run(
        [sys.executable, str(GITLAB_HELPER), *args],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert TOKEN not in done.stdout + done.stderr
    return done


def _ours(fake: FakeGitLab) -> list[dict[str, Any]]:
    return [n for n in fake.notes if n["body"].startswith(COMMENT_MARKER + "\n")]


def test_merge_request_note_is_posted_once_then_edited(
    gitlab: tuple[FakeGitLab, str], tmp_path: Path
) -> None:
    fake, api = gitlab
    fake.notes = [{"id": i, "body": f"review {i}", "system": i == 2} for i in range(1, 5)]
    (tmp_path / "plan.md").write_text(f"{COMMENT_MARKER}\n## Plan: 1 to create\n")
    first = helper(api, tmp_path, "mr-note", "plan.md")
    assert first.returncode == 0, first.stderr
    (note,) = _ours(fake)
    assert "## Plan: 1 to create" in note["body"] and f"Plan of {MERGE_SHA[:8]}" in note["body"]
    (tmp_path / "plan.md").write_text(f"{COMMENT_MARKER}\n## No changes.\n")
    second = helper(api, tmp_path, "mr-note", "plan.md")
    assert second.returncode == 0 and f"Updated the plan note {note['id']}" in second.stdout
    (again,) = _ours(fake)
    assert again["id"] == note["id"] and "## No changes." in again["body"]
    assert [n["body"] for n in fake.notes if n["id"] < 5] == [f"review {i}" for i in range(1, 5)]
    # 4 notes = 2 pages, then 5 = 3 pages: ours was found on the last page.
    assert fake.calls.count("GET /merge_requests/5/notes") == 5

    failed = helper(api, tmp_path, "mr-note", "--reason", "the manifests are not valid")
    assert failed.returncode == 0
    (note,) = _ours(fake)
    assert "## No plan: the manifests are not valid" in note["body"]


def test_helper_without_a_token_says_how_to_get_one(
    gitlab: tuple[FakeGitLab, str], tmp_path: Path
) -> None:
    _, api = gitlab
    done = helper(api, tmp_path, "mr-note", "plan.md", QUOTESYNC_GITLAB_TOKEN="")
    assert done.returncode == 1
    assert "QUOTESYNC_GITLAB_TOKEN is not set: add a project access token" in done.stderr
    wrong = helper(api, tmp_path, "mr-note", "plan.md", QUOTESYNC_GITLAB_TOKEN="wrong")
    assert wrong.returncode == 1 and "HTTP 401" in wrong.stderr


def _merged(labels: list[str]) -> dict[str, Any]:
    return {"iid": 9, "state": "merged", "target_branch": "main", "merge_commit_sha": MERGE_SHA,
            "squash_commit_sha": None, "labels": labels}  # fmt: skip


def test_fetch_plan_downloads_the_newest_reviewed_plan_and_its_allow_flags(
    gitlab: tuple[FakeGitLab, str], tmp_path: Path
) -> None:
    fake, api = gitlab
    fake.commit_mrs = [_merged(["quotesync:allow-mass-changes", "other"])]
    fake.pipelines = [{"id": 30, "status": "success"}, {"id": 31, "status": "failed"},
                      {"id": 29, "status": "success"}]  # fmt: skip
    fake.jobs = {
        30: [{"id": 300, "name": "quotesync-validate", "status": "success"},
             {"id": 301, "name": "quotesync-plan", "status": "success", "web_url": "job301"}],
        29: [{"id": 290, "name": "quotesync-plan", "status": "success"}],
    }  # fmt: skip
    fake.artifacts = {301: b'{"kind": "quotesync-plan", "n": 301}\n', 290: b"{}"}
    done = helper(api, tmp_path, "fetch-plan", "reviewed-plan")
    assert done.returncode == 0, done.stderr
    assert "Applying the plan reviewed in !9: job301" in done.stdout
    assert (tmp_path / "reviewed-plan" / "plan.json").read_bytes() == fake.artifacts[301]
    assert (tmp_path / "reviewed-plan" / "allow-flags").read_text() == "--allow-mass-changes"

    del fake.artifacts[301]  # expired: the next newest successful pipeline's plan
    assert helper(api, tmp_path, "fetch-plan", "reviewed-plan").returncode == 0
    assert (tmp_path / "reviewed-plan" / "plan.json").read_bytes() == b"{}"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("direct-push", "without a merged merge request, so no plan was reviewed"),
        ("no-plan", "No plan file found for !9"),
    ],
)
def test_fetch_plan_without_a_reviewed_plan_fails_and_writes_nothing(
    gitlab: tuple[FakeGitLab, str], tmp_path: Path, setup: str, message: str
) -> None:
    fake, api = gitlab
    if setup == "no-plan":
        fake.commit_mrs = [_merged([])]
        fake.pipelines = [{"id": 30, "status": "success"}]
        fake.jobs = {30: [{"id": 301, "name": "quotesync-plan", "status": "failed"}]}
    else:
        fake.commit_mrs = [{**_merged([]), "state": "opened"}]
    done = helper(api, tmp_path, "fetch-plan", "reviewed-plan")
    assert done.returncode == 1
    assert message in done.stderr and "nothing was applied" in done.stderr
    assert not (tmp_path / "reviewed-plan").exists()


def test_drift_issue_is_opened_updated_and_closed(
    gitlab: tuple[FakeGitLab, str], tmp_path: Path
) -> None:
    fake, api = gitlab
    fake.issues = [{"iid": 1, "title": "x", "description": COMMENT_MARKER, "labels": [],
                    "state": "opened"}]  # fmt: skip
    report = tmp_path / "drift.md"
    report.write_text(f"{COMMENT_MARKER}\n## Drift detected: one\n")
    assert helper(api, tmp_path, "drift-issue", "drift.md", "--exit-code", "2").returncode == 0
    (issue,) = [i for i in fake.issues if "quotesync-drift" in i["labels"]]
    assert issue["state"] == "opened" and "Drift detected: one" in issue["description"]
    report.write_text(f"{COMMENT_MARKER}\n## Drift detected: two\n")
    helper(api, tmp_path, "drift-issue", "drift.md", "--exit-code", "2")
    assert len([i for i in fake.issues if "quotesync-drift" in i["labels"]]) == 1
    assert "Drift detected: two" in issue["description"]
    closed = helper(api, tmp_path, "drift-issue", "drift.md", "--exit-code", "0")
    assert f"closed issue #{issue['iid']}" in closed.stdout
    assert issue["state"] == "closed" and fake.issues[0]["state"] == "opened"
    assert "No drift any more" in fake.issue_notes[-1]["body"]
    error = helper(api, tmp_path, "drift-issue", "drift.md", "--exit-code", "1")
    assert error.returncode == 0 and "left as it is" in error.stdout


def test_drift_exit_2_without_a_report_fails_instead_of_opening_an_empty_issue(
    gitlab: tuple[FakeGitLab, str], tmp_path: Path
) -> None:
    fake, api = gitlab
    done = helper(api, tmp_path, "drift-issue", "drift.md", "--exit-code", "2")
    assert done.returncode == 1 and "drift.md was not written" in done.stderr
    assert fake.issues == []
