"""The emulated Online services on their own: ticket lifetimes, refusals, settings files."""

from __future__ import annotations

import pytest

from quotesync_gitops.emulator.login import LoginService, LoginSettings
from tests.crm import online


def test_tickets_and_tokens_expire_after_their_lifetime() -> None:
    now = [1_000.0]
    service = LoginService(
        online.settings(ticket_lifetime=60, access_token_lifetime=30), clock=lambda: now[0]
    )
    ticket = service._issue("soticket", 60)
    status, body = service.refresh(
        {
            "grant_type": "refresh_token",
            "refresh_token": online.REFRESH_TOKEN,
            "client_id": online.CLIENT_ID,
            "client_secret": online.CLIENT_SECRET,
        }
    )
    assert status == 200 and body["expires_in"] == 30
    bearer = f"Bearer {body['access_token']}"
    assert service.accepts(f"SOTicket {ticket}", online.CLIENT_SECRET)
    assert not service.accepts(f"SOTicket {ticket}", "another app")
    assert service.accepts(bearer, "")
    now[0] += 31
    assert not service.accepts(bearer, "") and service.accepts(
        f"SOTicket {ticket}", online.CLIENT_SECRET
    )
    now[0] += 30
    assert not service.accepts(f"SOTicket {ticket}", online.CLIENT_SECRET)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "missing or malformed"),
        ({"SignedSystemToken": "a.b.c", "ApplicationToken": "x"}, "application token"),
        (
            {"SignedSystemToken": "a.b.c", "ApplicationToken": online.CLIENT_SECRET,
             "ContextIdentifier": "Cust9"},
            "not installed in that tenant",
        ),
        (
            {"SignedSystemToken": "wrong.202601010000.c2ln",
             "ApplicationToken": online.CLIENT_SECRET, "ContextIdentifier": online.CONTEXT_ID},
            "system user token is not valid",
        ),
        (
            {"SignedSystemToken": f"{online.SYSTEM_USER_TOKEN}.202601010000.c2ln",
             "ApplicationToken": online.CLIENT_SECRET, "ContextIdentifier": online.CONTEXT_ID},
            "signature",
        ),
    ],
)  # fmt: skip
def test_authenticate_refusals_answer_200_with_a_reason(body: dict[str, str], reason: str) -> None:
    answer = LoginService(online.settings()).authenticate(body, "http://127.0.0.1:1")
    assert answer["IsSuccessful"] is False and answer["Token"] is None
    assert reason in answer["ErrorMessage"]


def test_settings_files_name_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown login settings: colour"):
        LoginSettings.from_json({"colour": "red"})
    assert LoginSettings.from_json({"restricted_agents": ["ErpSync"]}).restricted_agents == {
        "ErpSync"
    }
