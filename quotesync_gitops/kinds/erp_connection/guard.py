"""All-or-nothing for an ERP connection: test it and check against its catalog before
writing, undo what cannot be checked in advance, and say exactly what was written when it
fails.

* The connector's **connection test** of the desired configuration (``test_erp_connection``)
  must pass before a configuration is written; SuperOffice tests by connection id, so a new
  connection is tested once its shell exists. ``plan --test-connections`` runs the same
  test (apply/connection_tests.py).

* A **new** connection's ERP catalog (actor types, ERP fields, list items) exists only once
  the connection does. Apply creates it inactive and empty, reads that catalog and checks
  the whole manifest against it before any other write. ERP list items and the CRM list
  behind a list field exist once its actor type is mapped, so they are checked right after
  the actor mappings are saved, before anything else. On any problem, and on any later
  failure, the connection is soft-deleted (and so is a soft-deleted one apply was
  restoring): nothing active or half-configured is left in use, the next apply restores it
  (never a second one), and the next plan names its problems at their lines.
* The API has no catalog of CRM field keys: ``SaveActorTypeMapping`` is the only judge. So
  actor mappings are written first, and when the CRM refuses one, the actor mappings
  already saved in this run are put back as they were read: nothing of the resource is
  left written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quotesync_gitops.changes import TestResult
from quotesync_gitops.crm.errors import CrmConnectionError, CrmError
from quotesync_gitops.kinds.connection_parts import test_config
from quotesync_gitops.kinds.crm_checks import check_against_crm
from quotesync_gitops.kinds.erp_connection.catalog import read_erp_catalog
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed
from quotesync_gitops.model import ERP_ACTOR_TYPES, Resource
from quotesync_gitops.secrets import secret_values

if TYPE_CHECKING:
    from quotesync_gitops.crm.client import CrmClient

ERP_TEST_FAILED = (
    "The ERP connector reported that the connection does not work with this configuration "
    "(TestConnectionByConfig answered false)."
)


def test_erp_connection(client: CrmClient, connection_id: int, resource: Resource) -> TestResult:
    """The connector's test of the desired configuration (SuperOffice tests by connection id)."""
    client.hide_values(secret_values(resource.spec))  # a server may echo the test request
    try:
        ok = client.erp_test_connection_by_config(connection_id, test_config(resource))
    except CrmError as exc:
        return TestResult(resource.kind, resource.name, False, str(exc))
    return TestResult(resource.kind, resource.name, ok, "" if ok else ERP_TEST_FAILED)


@dataclass
class WriteLog:
    """What one resource's apply has written so far, and how to put actor mappings back."""

    written: list[str] = field(default_factory=list)
    #: actor type -> its mapping carrier as read before this run saved it
    saved_actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the connection this run deactivated to change its configuration (reactivated when
    #: the change then fails)
    deactivated: int | None = None

    def wrote(self, what: str) -> None:
        self.written.append(what)

    def summary(self) -> str:
        if not self.written:
            return "nothing was written"
        return "written before the failure: " + "; ".join(self.written)


def check_catalog(ac: ApplyContext, want: Resource, conn_id: int) -> None:
    """Read the connection's ERP catalog and refuse the resource on any problem with it."""
    ctx = ac.live.context
    # every actor type, so that a wrong one is told which the connector offers
    read_erp_catalog(ac.client, ctx, want.name, conn_id, ERP_ACTOR_TYPES)
    problems = [p for p in check_against_crm(want, ctx) if p.level == "error"]
    if problems:
        lines = "\n  ".join(ac.locate(problems))
        raise ResourceFailed(
            f"{len(problems)} problem(s) against the connector's catalog:\n  {lines}"
        )


def undo_actor_mappings(ac: ApplyContext, log: WriteLog) -> None:
    """Put back the actor mappings this run saved, newest first (best effort: what could
    not be put back stays listed in the log)."""
    for actor, carrier in reversed(list(log.saved_actors.items())):
        try:
            ac.client.erp_save_actor_type_mapping(carrier)
        except CrmConnectionError:
            raise
        except CrmError:
            continue
        log.written.remove(f"actor {actor} mappings")
    log.saved_actors.clear()


def _with(reason: str, outcome: str) -> ResourceFailed:
    """The reason's first line, what became of the resource, then the reason's other lines
    (one problem a line, each at its manifest line)."""
    first, _, rest = reason.partition("\n")
    return ResourceFailed(f"{first.rstrip(':')} ({outcome})" + (f":\n{rest}" if rest else ""))


def fail_shell(ac: ApplyContext, conn_id: int, log: WriteLog, reason: str) -> ResourceFailed:
    """A new (or soft-deleted) connection failed: it is soft-deleted, so nothing half-made is
    active or in use. What was saved inside it stays, so the next plan can check the rest of
    the manifest against its catalog (ERP list items exist once actor types are mapped)."""
    try:
        ac.client.erp_delete_connection(conn_id)
    except CrmConnectionError:
        raise
    except CrmError as exc:
        return _with(reason, f"{log.summary()}; it could not be soft-deleted: {exc}")
    return _with(
        reason,
        "the connection is left soft-deleted and inactive; the next apply restores it "
        "instead of creating another",
    )


def fail_existing(ac: ApplyContext, log: WriteLog, reason: str) -> ResourceFailed:
    undo_actor_mappings(ac, log)
    if log.deactivated is not None:
        try:
            reasons = ac.client.erp_toggle_active(log.deactivated)
        except CrmConnectionError:
            raise
        except CrmError:
            reasons = ["the CRM refused"]
        if not reasons:
            log.written.remove("deactivated the connection")
    return _with(reason, log.summary())
