"""Many tenants from one repository (examples/tenants/): the GitHub matrix recipe of
docs/ci.md and examples/ci/gitlab/tenants.gitlab-ci.yml, run for two tenants against two
emulators with different credentials. Each tenant sees only its own values and resources,
gets its own comment marker and plan, and no tenant's secret reaches another's output."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from quotesync_gitops.target import open_client
from tests.ci.conftest import ServedCrm, serve_crm
from tests.ci.workflows import (
    CI,
    ROOT,
    ActionCall,
    Command,
    gitlab_jobs,
    gitlab_pipeline,
    quotesync_lines,
    run,
    run_action,
)

TENANTS_EXAMPLE = ROOT / "examples" / "tenants"
GITLAB_TENANTS = CI / "gitlab" / "tenants.gitlab-ci.yml"
#: The embedded CRM's Demo Accounting connector passes its test only with this key.
API_KEYS = {"acme": "demo-api-key", "globex": "demo-api-key"}


@pytest.fixture
def tenants(tmp_path: Path) -> Iterator[dict[str, ServedCrm]]:
    """Two tenants, each its own CRM with its own credentials."""
    with (
        serve_crm(tmp_path / "acme.sqlite", {"QUOTESYNC_TICKET": "acme-ticket-5a1e",
                                             "QUOTESYNC_APP_TOKEN": "acme-app-77b0"}) as acme,
        serve_crm(tmp_path / "globex.sqlite", {"QUOTESYNC_TICKET": "globex-ticket-0c93",
                                               "QUOTESYNC_APP_TOKEN": "globex-app-31fe"}) as globex,
    ):  # fmt: skip
        yield {"acme": acme, "globex": globex}


def _checkout(tmp_path: Path, tenant: str) -> Path:
    """What one CI job gets: a fresh checkout of the manifest repository."""
    repo = tmp_path / f"job-{tenant}"
    shutil.copytree(TENANTS_EXAMPLE, repo)
    return repo


def _secrets(crm: ServedCrm, tenant: str) -> list[str]:
    return [*crm.credentials.values(), API_KEYS[tenant]]


def _assert_clean(text: str, tenants: dict[str, ServedCrm]) -> None:
    for name, crm in tenants.items():
        for secret in _secrets(crm, name):
            assert secret not in text, f"a secret of {name} reached the output"


def _price_lists(crm: ServedCrm) -> set[str]:
    with open_client(crm.url, crm.credentials) as client:
        return {str(p["Name"]) for p in client.iter_pricelists()}


def _github_job(name: str) -> dict[str, Any]:
    """A job of the GitHub matrix recipe, as docs/ci.md shows it."""
    guide = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- tenants-github-{name} -->\n```yaml\n(.*?)```", guide, re.DOTALL)
    assert block, f"docs/ci.md shows the tenants' {name} job"
    job: dict[str, Any] = yaml.safe_load(block.group(1))["jobs"][name]
    assert job["strategy"]["fail-fast"] is False
    assert job["environment"] == "tenant-${{ matrix.tenant }}"
    return job


def _run_action_steps(
    job: dict[str, Any], repo: Path, context: dict[str, str], tenants: dict[str, ServedCrm]
) -> list[tuple[str, str]]:
    """The job's steps that use the action, in order: (exit-code output, log) of each."""
    done = []
    for step in job["steps"]:
        if not str(step.get("uses", "")).startswith("OWNER/quotesync-gitops@"):
            continue
        call = ActionCall(job["name"], step["name"], step["with"], step.get("env", {}))
        result = run_action(call, repo, context, {"GITHUB_ACTIONS": "true"})
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        _assert_clean(output, tenants)
        done.append((result.outputs["exit-code"], output))
    return done


def test_github_matrix_recipe_plans_applies_and_checks_drift_per_tenant(
    tenants: dict[str, ServedCrm], tmp_path: Path
) -> None:
    plan, apply, drift = (_github_job(name) for name in ("plan", "apply", "drift"))
    for job in (plan, apply, drift):
        assert job["strategy"]["matrix"]["tenant"] == sorted(tenants)
    assert apply["env"]["PLAN_ARTIFACT"] == "quotesync-plan-${{ matrix.tenant }}"
    for tenant in plan["strategy"]["matrix"]["tenant"]:
        crm, repo = tenants[tenant], _checkout(tmp_path, tenant)
        context = {  # what GitHub gives this matrix job from its environment tenant-NAME
            "matrix.tenant": tenant,
            "vars.QUOTESYNC_CRM": crm.url,
            "secrets.QUOTESYNC_TICKET": crm.credentials["QUOTESYNC_TICKET"],
            "secrets.QUOTESYNC_APP_TOKEN": crm.credentials["QUOTESYNC_APP_TOKEN"],
            "secrets.ACCOUNTING_API_KEY": API_KEYS[tenant],
            "steps.reviewed.outputs.allow-flags": "",
        }
        assert [code for code, _ in _run_action_steps(plan, repo, context, tenants)] == ["0", "0"]
        comment = (repo / "plan.md").read_text(encoding="utf-8")
        _assert_clean(comment + (repo / "plan.json").read_text(encoding="utf-8"), tenants)
        assert comment.split("\n", 1)[0] == f"<!-- quotesync-plan:{tenant} -->"
        own, other = ("Acme", "Globex") if tenant == "acme" else ("Globex", "Acme")
        assert own in comment and other not in comment
        assert ("Hardware NOK 2026" in comment) is (tenant == "acme"), "tenants/acme/ is Acme's"
        (repo / "reviewed-plan").mkdir()  # the artifact, downloaded by the apply job
        shutil.copy(repo / "plan.json", repo / "reviewed-plan" / "plan.json")
        ((code, log),) = _run_action_steps(apply, repo, context, tenants)
        assert code == "0" and "Apply complete" in log
        ((code, log),) = _run_action_steps(drift, repo, context, tenants)
        assert code == "0", log
        report = (repo / "drift.md").read_text(encoding="utf-8")
        assert report.split("\n", 1)[0] == f"<!-- quotesync-plan:{tenant} -->"
        assert ("Hardware NOK 2026" in _price_lists(crm)) is (tenant == "acme")
    assert "Services EUR 2026" in _price_lists(tenants["globex"])
    assert "Services NOK 2026" not in _price_lists(tenants["globex"])


def _gitlab_tenant_script(job: dict[str, Any], line: str) -> str:
    """The job's tenant block (before_script) and one script line, in one shell, as GitLab
    runs before_script and script."""
    (block,) = [entry for entry in job["before_script"] if "QUOTESYNC_TENANT" in entry]
    return block + "\n" + line


class _GitLabTenantJob:
    """Runs the quotesync line of a job of the tenants pipeline for one tenant."""

    def __init__(
        self, jobs: dict[str, Any], repo: Path, env: dict[str, str], tenants: dict[str, ServedCrm]
    ) -> None:
        self.jobs, self.repo, self.env, self.tenants = jobs, repo, env, tenants

    def step(self, name: str, index: int, expect: int) -> str:
        job = self.jobs[name]
        line = [q for entry in job["script"] for q in quotesync_lines(entry)][index]
        done = run(Command(name, "script", _gitlab_tenant_script(job, line)), self.repo,
                   extra_env=self.env)  # fmt: skip
        output = done.stdout + done.stderr
        assert done.returncode == expect, f"{self.env['QUOTESYNC_TENANT']} {name}: {line}\n{output}"
        _assert_clean(output, self.tenants)
        return output


def test_gitlab_matrix_plans_applies_and_checks_drift_per_tenant(
    tenants: dict[str, ServedCrm], tmp_path: Path
) -> None:
    jobs = gitlab_jobs(GITLAB_TENANTS)
    variables = gitlab_pipeline(GITLAB_TENANTS)["variables"]
    assert set(jobs) == {"quotesync-validate", "quotesync-plan", "quotesync-apply",
                         "quotesync-drift"}  # fmt: skip
    for name, job in jobs.items():
        assert job["parallel"]["matrix"] == [{"QUOTESYNC_TENANT": sorted(tenants)}], name
        if name != "quotesync-validate":
            assert job["environment"]["name"] == "tenant-$QUOTESYNC_TENANT"
            assert job["resource_group"] == "quotesync-$QUOTESYNC_TENANT"

    for tenant, crm in tenants.items():
        repo = _checkout(tmp_path, tenant)
        env = {  # the CI/CD variables scoped to the environment tenant-NAME, and the matrix's
            **{k: str(v) for k, v in variables.items()},
            "QUOTESYNC_TENANT": tenant,
            "QUOTESYNC_CRM": crm.url,
            **crm.credentials,
            "ACCOUNTING_API_KEY": API_KEYS[tenant],
            "CI_JOB_ID": "7",
            "CI_JOB_URL": "https://gitlab.example.com/-/jobs/7",
        }
        runner = _GitLabTenantJob(jobs, repo, env, tenants)
        runner.step("quotesync-validate", 0, 0)
        runner.step("quotesync-plan", 0, 0)
        comment = (repo / "plan.md").read_text(encoding="utf-8")
        assert comment.split("\n", 1)[0] == f"<!-- quotesync-plan:{tenant} -->"
        _assert_clean(comment, tenants)
        (repo / "reviewed-plan").mkdir()
        shutil.copy(repo / "plan.json", repo / "reviewed-plan" / "plan.json")
        assert "Apply complete" in runner.step("quotesync-apply", 0, 0)
        runner.step("quotesync-drift", 0, 0)
        assert ("Hardware NOK 2026" in _price_lists(crm)) is (tenant == "acme")
    assert "Services NOK 2026" in _price_lists(tenants["acme"])
    assert "Services EUR 2026" in _price_lists(tenants["globex"])
    assert "Services NOK 2026" not in _price_lists(tenants["globex"])


def test_a_tenant_without_its_variables_file_is_refused_and_nothing_is_written(
    tenants: dict[str, ServedCrm], tmp_path: Path
) -> None:
    crm, repo = tenants["acme"], _checkout(tmp_path, "acme")
    call = ActionCall("plan", "Plan", {"command": "plan", "tenant": "initech"}, {
        "QUOTESYNC_CRM": crm.url, **crm.credentials, "ACCOUNTING_API_KEY": API_KEYS["acme"],
    })  # fmt: skip
    result = run_action(call, repo)
    assert result.returncode == 1 and result.outputs["exit-code"] == "1"
    assert "tenants/initech.yaml" in result.stdout + result.stderr
    assert not (repo / "plan.json").exists()
    assert _price_lists(crm) == set()
