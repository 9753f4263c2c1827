"""Sign-in modes against the emulated Online environment, over HTTP on 127.0.0.1."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from quotesync_gitops.crm import CrmAuthError, CrmConfigError, CrmProtocolError
from quotesync_gitops.crm.auth import BasicAuth, RefreshTokenAuth, SystemUserAuth
from quotesync_gitops.crm.auth_env import auth_for_env, sign_in_mode
from quotesync_gitops.crm.auth_tokens import (
    SYSTEM_USER_ISSUER,
    TICKET_CLAIM,
    load_private_key,
    sign_system_token,
    ticket_from_jwt,
)
from quotesync_gitops.target import open_client
from tests.crm import online
from tests.crm.online import CONTEXT_ID, leaks


def test_private_key_loads_from_pem_and_from_rsa_xml_alike() -> None:
    one_line = online.private_pem().replace("\n", "\\n")
    assert load_private_key(one_line, source="X").private_numbers() == (
        online.app_key().private_numbers()
    )
    pem = load_private_key(online.private_pem(), source="QUOTESYNC_PRIVATE_KEY")
    xml = load_private_key(online.private_xml(), source="QUOTESYNC_PRIVATE_KEY")
    assert pem.private_numbers() == xml.private_numbers() == online.app_key().private_numbers()


@pytest.mark.parametrize(
    "text",
    [
        "not a key",
        "<RSAKeyValue><Modulus>AQAB</Modulus></RSAKeyValue>",
        "<x/>",
        "<RSAKeyValue><D>zz",
    ],
)
def test_a_bad_private_key_names_the_variable_not_the_value(text: str) -> None:
    with pytest.raises(
        CrmConfigError, match="QUOTESYNC_PRIVATE_KEY is not an unencrypted RSA"
    ) as e:
        load_private_key(text, source="QUOTESYNC_PRIVATE_KEY")
    assert text not in str(e.value)


def test_signed_system_token_is_token_time_and_pkcs1_sha256_signature() -> None:
    at = datetime(2026, 12, 1, 21, 5, 59, tzinfo=UTC)
    signed = sign_system_token("SPI-abc", online.app_key(), at)
    token, stamp, signature = signed.split(".")
    assert (token, stamp) == ("SPI-abc", "202612012105")
    import base64

    online.app_key().public_key().verify(
        base64.b64decode(signature), b"SPI-abc.202612012105", padding.PKCS1v15(), hashes.SHA256()
    )


def _jwt(key: rsa.RSAPrivateKey, kid: str, **claims: object) -> str:
    body = {
        "iss": SYSTEM_USER_ISSUER,
        "aud": "spn:42",
        "http://schemes.superoffice.net/identity/serial": "42",
        "http://schemes.superoffice.net/identity/ctx": CONTEXT_ID,
        TICKET_CLAIM: "7T:abc",
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def _jwks(key: rsa.RSAPrivateKey, kid: str) -> dict[str, object]:
    import json

    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**jwk, "kid": kid, "alg": "RS256", "use": "sig"}]}


def test_jwt_verification_accepts_a_good_token_and_refuses_forgeries() -> None:
    good = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys = _jwks(good, "k1")
    assert ticket_from_jwt(_jwt(good, "k1"), keys, context_id=CONTEXT_ID) == "7T:abc"
    refusals = {
        "signed by another key": (_jwt(forger, "k1"), "does not verify"),
        "unknown kid": (_jwt(good, "k9"), "does not publish"),
        "wrong issuer": (_jwt(good, "k1", iss="Someone"), "failed verification"),
        "wrong audience": (_jwt(good, "k1", aud="spn:7"), "failed verification"),
        "expired": (_jwt(good, "k1", exp=1000), "failed verification"),
        "other tenant": (
            _jwt(good, "k1", **{"http://schemes.superoffice.net/identity/ctx": "Cust9"}),
            "not 'Cust12345'",
        ),
    }
    for label, (token, message) in refusals.items():
        with pytest.raises(CrmAuthError, match=message):
            ticket_from_jwt(token, keys, context_id=CONTEXT_ID)
        assert "7T:abc" not in message, label
    hs = jwt.encode({"iss": SYSTEM_USER_ISSUER, TICKET_CLAIM: "x"}, "k" * 32, algorithm="HS256")
    with pytest.raises(CrmAuthError):
        ticket_from_jwt(hs, keys, context_id=CONTEXT_ID)
    with pytest.raises(CrmProtocolError, match="not a usable JWT"):
        ticket_from_jwt("garbage", keys, context_id=CONTEXT_ID)


def test_system_user_signs_in_once_and_reads_over_http(tmp_path: Path) -> None:
    with online.online(tmp_path) as server:
        env = online.system_user_env(server)
        with open_client(env["QUOTESYNC_CRM"], env) as client:
            auth = client._http.auth
            assert isinstance(auth, SystemUserAuth)
            assert client.erp_get_all_connectors()
            assert client.quote_get_installed_connections() is not None
            assert auth.obtained == 1
            assert str(client.base_url).rstrip("/") == f"{server.url}/srv1/{CONTEXT_ID}"
            assert leaks(repr(client) + repr(auth), server) == []
        assert server.login is not None
        assert server.login.counts["system_user"] == 1


def test_system_user_with_the_rsa_xml_key(tmp_path: Path) -> None:
    with online.online(tmp_path) as server:
        env = online.system_user_env(server, QUOTESYNC_PRIVATE_KEY=online.private_xml())
        with open_client(env["QUOTESYNC_CRM"], env) as client:
            assert client.erp_get_all_connectors()


def test_a_ticket_that_expires_is_renewed_once_and_the_call_goes_on(tmp_path: Path) -> None:
    with online.online(tmp_path) as server:
        env = online.system_user_env(server)
        assert server.login is not None
        with open_client(env["QUOTESYNC_CRM"], env) as client:
            client.erp_get_all_connectors()
            server.login.expire_all()
            assert client.erp_get_all_connectors()
            assert client._http.auth.obtained == 2  # type: ignore[union-attr]
            # Concurrent requests meeting the same 401 share one renewal.
            server.login.expire_all()
            errors: list[BaseException] = []

            def read() -> None:
                try:
                    client.erp_get_all_connectors()
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=read) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            assert client._http.auth.obtained == 3  # type: ignore[union-attr]


def test_a_401_after_renewal_is_an_auth_error_not_a_loop(tmp_path: Path) -> None:
    with online.online(tmp_path, max_uses=0) as server:
        env = online.system_user_env(server)
        with open_client(env["QUOTESYNC_CRM"], env) as client:
            with pytest.raises(CrmAuthError, match="credentials refused") as info:
                client.erp_get_all_connectors()
            assert client._http.auth.obtained == 2  # type: ignore[union-attr]
            assert leaks(str(info.value), server) == []


def test_refused_system_user_sign_in_says_which_variables(tmp_path: Path) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with online.online(tmp_path, app_public_key_pem=online.public_pem(other)) as server:
        env = online.system_user_env(server)
        with (
            open_client(env["QUOTESYNC_CRM"], env) as client,
            pytest.raises(CrmAuthError, match="system user sign-in refused") as info,
        ):
            client.erp_get_all_connectors()
    assert "QUOTESYNC_PRIVATE_KEY" in str(info.value)
    assert leaks(str(info.value)) == []


def test_refresh_token_gets_a_bearer_and_refreshes_on_expiry(tmp_path: Path) -> None:
    with online.online(tmp_path, access_token_lifetime=3600) as server:
        env = online.refresh_env(server)
        assert server.login is not None
        with open_client(env["QUOTESYNC_CRM"], env) as client:
            auth = client._http.auth
            assert isinstance(auth, RefreshTokenAuth)
            client.erp_get_all_connectors()
            server.login.expire_all()  # revoked or expired early: the 401 path
            client.erp_get_all_connectors()
            assert server.login.counts["refresh"] == 2


def test_refresh_token_is_refreshed_before_expires_in_runs_out(tmp_path: Path) -> None:
    now = [1_000_000.0]
    with online.online(tmp_path, access_token_lifetime=3600) as server:
        login = online_login(server)
        auth = RefreshTokenAuth(
            login,
            refresh_token=online.REFRESH_TOKEN,
            client_id=online.CLIENT_ID,
            client_secret=online.CLIENT_SECRET,
            clock=lambda: now[0],
        )
        first = auth._credential()
        assert auth._credential() == first
        now[0] += 3600 - 30  # inside the refresh margin
        assert auth._credential() != first
        assert auth.obtained == 2


def online_login(server: object) -> object:
    from quotesync_gitops.crm.auth_login import LoginEndpoint

    return LoginEndpoint(httpx.Client(base_url=server.url))  # type: ignore[attr-defined]


def test_a_wrong_refresh_token_is_refused_without_echo(tmp_path: Path) -> None:
    with online.online(tmp_path) as server:
        env = {**online.refresh_env(server), "QUOTESYNC_REFRESH_TOKEN": "wrong-refresh-Xy"}
        with (
            open_client(env["QUOTESYNC_CRM"], env) as client,
            pytest.raises(CrmAuthError, match="sign-in refused") as info,
        ):
            client.erp_get_all_connectors()
    assert "wrong-refresh-Xy" not in str(info.value) and leaks(str(info.value)) == []


def test_basic_auth_onsite_over_http(tmp_path: Path) -> None:
    with online.online(tmp_path) as server:
        env = online.basic_env(server)
        with open_client(env["QUOTESYNC_CRM"], env) as client:
            assert isinstance(client._http.auth, BasicAuth)
            assert client.erp_get_all_connectors()
        wrong = {**env, "QUOTESYNC_PASSWORD": "nope-nope"}
        with (
            open_client(wrong["QUOTESYNC_CRM"], wrong) as client,
            pytest.raises(CrmAuthError, match="HTTP 401"),
        ):
            client.erp_get_all_connectors()


def test_basic_auth_is_refused_over_plain_http_off_loopback() -> None:
    env = {"QUOTESYNC_USERNAME": "u", "QUOTESYNC_PASSWORD": "p-secret"}
    with pytest.raises(CrmConfigError, match="plain http"):
        open_client("http://crm.example.com/SuperOffice", env)
    with pytest.raises(CrmConfigError, match="Basic sign-in is for onsite"):
        open_client("online:Cust1", {**env, "QUOTESYNC_ENVIRONMENT_URL": "http://127.0.0.1:9"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"QUOTESYNC_SYSTEM_USER_TOKEN": "sys-tok", "QUOTESYNC_ACCESS_TOKEN": "bearer-x"},
            "set one sign-in mode",
        ),
        ({"QUOTESYNC_SYSTEM_USER_TOKEN": "sys-tok"}, "QUOTESYNC_CLIENT_SECRET"),
        (
            {"QUOTESYNC_SYSTEM_USER_TOKEN": "sys-tok", "QUOTESYNC_CLIENT_SECRET": "cs-x"},
            "QUOTESYNC_PRIVATE_KEY",
        ),
        ({"QUOTESYNC_REFRESH_TOKEN": "r-tok"}, "QUOTESYNC_CLIENT_ID and QUOTESYNC_CLIENT_SECRET"),
        ({"QUOTESYNC_PASSWORD": "pw-only"}, "QUOTESYNC_USERNAME"),
    ],
)
def test_incomplete_sign_in_variables_are_named(env: dict[str, str], message: str) -> None:
    full = {**env, "QUOTESYNC_ENVIRONMENT_URL": "http://127.0.0.1:9"}
    target = "https://crm.example.com/SuperOffice" if "QUOTESYNC_PASSWORD" in env else "online:C1"
    with pytest.raises(CrmConfigError, match=message) as info:
        open_client(target, full)
    for value in env.values():
        assert value not in str(info.value)


def test_online_only_modes_need_a_tenant_target() -> None:
    env = {
        "QUOTESYNC_REFRESH_TOKEN": "r",
        "QUOTESYNC_CLIENT_ID": "c",
        "QUOTESYNC_CLIENT_SECRET": "s",
    }
    assert sign_in_mode(env) == "refresh token"
    with pytest.raises(CrmConfigError, match="online:Cust12345"):
        auth_for_env(env)


def test_a_manifest_may_read_none_of_the_sign_in_variables() -> None:
    from quotesync_gitops.crm.auth_env import CREDENTIAL_VARIABLES
    from quotesync_gitops.manifest.references import TOOL_CREDENTIALS

    assert TOOL_CREDENTIALS == CREDENTIAL_VARIABLES


@pytest.mark.parametrize("redirect", ["", "https://app.example.com/callback"])
def test_the_refresh_request_is_the_documented_form(redirect: str) -> None:
    from urllib.parse import parse_qs

    from quotesync_gitops.crm.auth_login import LoginEndpoint

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "8A:x.tok", "expires_in": "300"})

    login = LoginEndpoint(
        httpx.Client(base_url="https://sod.example.com", transport=httpx.MockTransport(answer))
    )
    auth = RefreshTokenAuth(
        login, refresh_token="r-1", client_id="c-1", client_secret="s-1", redirect_uri=redirect
    )
    assert auth._credential() == "8A:x.tok"
    request = seen[0]
    assert request.method == "POST" and request.url.path == "/login/common/oauth/tokens"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    expected = {"grant_type": "refresh_token", "client_id": "c-1", "client_secret": "s-1"}
    assert form == {
        **expected,
        "refresh_token": "r-1",
        **({"redirect_uri": redirect} if redirect else {}),
    }
    assert "authorization" not in request.headers  # the login client carries no credential


def test_the_authenticate_request_is_the_documented_body(tmp_path: Path) -> None:
    import json

    from quotesync_gitops.crm.auth_login import LoginEndpoint

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"IsSuccessful": False, "ErrorMessage": "no"})

    login = LoginEndpoint(
        httpx.Client(base_url="https://sod.example.com", transport=httpx.MockTransport(answer))
    )
    auth = SystemUserAuth(
        login,
        system_user_token="SPI-tok",
        private_key=online.app_key(),
        client_secret="secret-9",
        context_id=CONTEXT_ID,
    )
    with pytest.raises(CrmAuthError, match="system user sign-in refused: no"):
        auth._credential()
    body = json.loads(seen[0].content)
    assert seen[0].url.path == "/Login/api/PartnerSystemUser/Authenticate"
    assert set(body) == {
        "SignedSystemToken",
        "ApplicationToken",
        "ContextIdentifier",
        "ReturnTokenType",
    }
    assert body["SignedSystemToken"].startswith("SPI-tok.")
    assert (body["ApplicationToken"], body["ContextIdentifier"]) == ("secret-9", CONTEXT_ID)
    assert body["ReturnTokenType"] == "JWT"


def test_the_private_key_may_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "app-key.xml"
    key_file.write_text(online.private_xml(), encoding="utf-8")
    with online.online(tmp_path) as server:
        env = online.system_user_env(server)
        del env["QUOTESYNC_PRIVATE_KEY"]
        with open_client(
            env["QUOTESYNC_CRM"], {**env, "QUOTESYNC_PRIVATE_KEY_FILE": str(key_file)}
        ) as c:
            assert c.erp_get_all_connectors()
        both = {**online.system_user_env(server), "QUOTESYNC_PRIVATE_KEY_FILE": str(key_file)}
        with pytest.raises(CrmConfigError, match="not both"):
            open_client(both["QUOTESYNC_CRM"], both)
        missing = {**env, "QUOTESYNC_PRIVATE_KEY_FILE": str(tmp_path / "nope.pem")}
        with pytest.raises(CrmConfigError, match="cannot read the private key file") as info:
            open_client(missing["QUOTESYNC_CRM"], missing)
        assert "nope.pem" not in str(info.value)  # the variable is named, not its value
