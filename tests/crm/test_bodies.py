"""Bodies are checked, not only statuses: null, Message, REST Error, wrong types, size."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from quotesync_gitops.crm import (
    CrmAuthError,
    CrmClient,
    CrmError,
    CrmNotFound,
    CrmProtocolError,
    CrmRejected,
    CrmServerError,
)
from quotesync_gitops.errors import QuotesyncError
from tests.crm.helpers import json_response, make_client


def client_answering(body: Any, status: int = 200, **kwargs: Any) -> CrmClient:
    return make_client(lambda r: json_response(body, status), **kwargs)[0]


def test_agent_null_is_not_found_with_operation_and_subject() -> None:
    with pytest.raises(CrmNotFound) as info:
        client_answering(None).erp_get_connection(12)
    assert info.value.operation == "ErpSync/GetConnection"
    assert info.value.subject == "ERP connection #12"
    assert str(info.value).startswith("ErpSync/GetConnection (ERP connection #12): ")
    assert "null" in str(info.value)


def test_agent_message_body_is_rejected_with_the_crm_message() -> None:
    body = {"Message": "Connection name is taken", "MessageDetail": "Pick another name"}
    client = client_answering(body)
    with pytest.raises(CrmRejected) as info:
        client.erp_save_connection({"ErpConnectionId": 4, "DisplayName": "Demo ERP"})
    error = info.value
    assert error.operation == "ErpSync/SaveConnection"
    assert error.subject == "ERP connection 'Demo ERP'"
    assert error.crm_message == "Connection name is taken: Pick another name"
    assert "Connection name is taken" in str(error) and "'Demo ERP'" in str(error)
    assert isinstance(error, QuotesyncError) and error.exit_code == 1


def test_message_body_is_rejected_even_where_a_list_was_expected() -> None:
    with pytest.raises(CrmRejected, match="not allowed"):
        client_answering({"Message": "not allowed"}).erp_get_all_connections()


def test_rest_error_body_is_rejected_with_error_type() -> None:
    body = {"Error": True, "ErrorType": "BadRequest", "ErrorMessage": "Currency cannot change"}
    client = client_answering(body, status=400)
    with pytest.raises(CrmRejected) as info:
        client.update_pricelist(3, {"PriceListId": 3, "Name": "Main"})
    assert info.value.status == 400
    assert info.value.error_type == "BadRequest"
    assert info.value.operation == "PUT /api/v1/Pricelist/3"
    assert info.value.subject == "price list 'Main'"
    assert "Currency cannot change" in str(info.value)


def test_rest_error_body_with_status_200_is_still_rejected() -> None:
    body = {"Error": True, "ErrorType": "SoException", "ErrorMessage": "boom"}
    with pytest.raises(CrmRejected, match="boom"):
        client_answering(body).get_product(1)


@pytest.mark.parametrize("status", [400, 409, 422])
def test_client_error_statuses_without_body_are_rejected(status: int) -> None:
    client = make_client(lambda r: httpx.Response(status, text="nope"))[0]
    with pytest.raises(CrmRejected, match=f"HTTP {status}"):
        client.get_pricelist(1)


def test_404_is_not_found() -> None:
    body = {"Error": True, "ErrorType": "NotFound", "ErrorMessage": "No product 9"}
    with pytest.raises(CrmNotFound, match="No product 9") as info:
        client_answering(body, status=404).get_product(9)
    assert info.value.subject == "product #9"


@pytest.mark.parametrize(("status", "words"), [(401, "credentials refused"), (403, "permission")])
def test_auth_statuses(status: int, words: str) -> None:
    with pytest.raises(CrmAuthError, match=words):
        client_answering({"Error": True, "ErrorMessage": "x"}, status=status).mdo_list("associate")


def test_500_without_explanation_is_a_server_error() -> None:
    client = make_client(lambda r: httpx.Response(500, text=""))[0]
    with pytest.raises(CrmServerError, match="HTTP 500"):
        client.erp_get_engine_status()


def test_500_with_rest_error_body_carries_the_crm_message() -> None:
    body = {"Error": True, "ErrorType": "SoException", "ErrorMessage": "Rule failed"}
    with pytest.raises(CrmRejected, match="Rule failed"):
        client_answering(body, status=500).quote_get_installed_connections()


def test_create_answered_null_is_rejected_not_not_found() -> None:
    with pytest.raises(CrmRejected, match="null instead of the saved object"):
        client_answering(None).quote_save_connection({"QuoteConnectionId": 0, "DisplayName": "Q"})


@pytest.mark.parametrize(
    ("call", "body"),
    [
        (lambda c: c.erp_get_connection(1), [1, 2]),
        (lambda c: c.erp_get_all_connections(), {"ErpConnectionId": 1}),
        (lambda c: c.erp_get_all_connections(), [1]),
        (lambda c: c.erp_get_connection_config_fields(1), {"Url": 5}),
        (lambda c: c.erp_test_connection_by_config(1, {}), "yes"),
        (lambda c: c.erp_toggle_active(1), [None]),
        (lambda c: c.quote_get_configuration_fields("X"), {"a": "b"}),
        (lambda c: c.iter_products().__next__(), {"value": {"x": 1}}),
        (lambda c: c.iter_products().__next__(), {"value": [], "odata.nextLink": 3}),
        (lambda c: c.iter_products().__next__(), {"value": [{"Name": "no id"}]}),
    ],
)
def test_wrong_types_are_protocol_errors(call: Any, body: Any) -> None:
    with pytest.raises(CrmProtocolError, match=r"shape|integer|objects|strings"):
        call(client_answering(body))


@pytest.mark.parametrize(
    "content",
    [b"<html>login</html>", b'{"unterminated": ', b"NaN", b"\xff\xfe", b"[" * 100_000],
    ids=["html", "truncated", "nan", "binary", "deep"],
)
def test_malformed_json_is_a_protocol_error(content: bytes) -> None:
    handler = lambda r: httpx.Response(200, content=content, headers={"content-type": "text/html"})  # noqa: E731
    client = make_client(handler)[0]
    with pytest.raises(CrmProtocolError, match="not JSON") as info:
        client.erp_get_engine_status()
    assert info.value.operation == "ErpSync/GetEngineStatus"


def test_body_over_the_size_bound_is_refused() -> None:
    big = [{"Id": i, "Name": "x" * 100} for i in range(200)]
    client = make_client(lambda r: json_response(big), max_response_bytes=4096)[0]
    with pytest.raises(CrmProtocolError, match="4096-byte bound"):
        client.erp_get_all_connectors()


def test_streamed_body_without_length_is_bounded_too() -> None:
    def chunks() -> Any:
        for _ in range(100):
            yield b"[" + b"1," * 50 + b"1]"

    client = make_client(lambda r: httpx.Response(200, content=chunks()), max_response_bytes=1000)[
        0
    ]
    with pytest.raises(CrmProtocolError, match="1000-byte bound"):
        client.erp_get_all_connectors()


def test_unexpected_status_is_a_protocol_error() -> None:
    client = make_client(lambda r: httpx.Response(418))[0]
    with pytest.raises(CrmProtocolError, match="unexpected HTTP status 418"):
        client.erp_get_engine_status()


def test_server_text_in_messages_is_cut_and_cleaned() -> None:
    body = {"Message": "bad\x1b[31m" + "x" * 5000}
    with pytest.raises(CrmRejected) as info:
        client_answering(body).erp_get_engine_status()
    assert "\x1b" not in str(info.value)
    assert len(str(info.value)) < 700


def test_secret_objects_in_a_body_are_refused_without_showing_them() -> None:
    from quotesync_gitops.secrets import Secret

    client, recorder = make_client(lambda r: json_response(True))
    with pytest.raises(CrmProtocolError, match="Secret") as info:
        client.erp_test_connection_by_config(1, {"password": Secret("hunter2")})  # type: ignore[dict-item]
    assert "hunter2" not in str(info.value)
    assert recorder.requests == []


def test_every_error_is_a_crm_error_with_an_operation() -> None:
    for cls in (CrmNotFound, CrmRejected, CrmProtocolError, CrmServerError, CrmAuthError):
        assert issubclass(cls, CrmError)


def test_a_redirect_says_to_use_the_url_it_points_at() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(302, headers={"Location": "https://sod2.superoffice.com/Cust1"})
    )
    with pytest.raises(CrmProtocolError) as info:
        client.erp_get_all_connectors()
    message = str(info.value)
    assert "redirected (HTTP 302) to https://sod2.superoffice.com/Cust1" in message
    assert "--crm" in message


def test_an_html_page_asks_whether_crm_is_the_base_url() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(
            200, text="<html>login</html>", headers={"content-type": "text/html"}
        )
    )
    with pytest.raises(CrmProtocolError, match=r"not JSON \(text/html\): is --crm"):
        client.erp_get_all_connectors()


def test_a_line_configuration_create_answered_null_was_rejected() -> None:
    with pytest.raises(CrmRejected):
        client_answering(None).quote_save_line_configurations(
            [{"QuoteLineConfigurationId": 0, "FieldName": "X"}]
        )


_TOO_LARGE = [
    b"1e400",
    b"-1E+309",
    b"1" * 250 + b"e99",  # 250 digits: no 3-digit exponent, still past the float range
    b"9" * 310 + b".5",
]


@pytest.mark.parametrize("number", _TOO_LARGE, ids=["1e400", "-1E+309", "250-digits-e99", "310"])
def test_a_number_past_the_float_range_is_a_protocol_error(number: bytes) -> None:
    content = b'{"IsRunning": true, "Value": ' + number + b"}"
    handler = lambda r: httpx.Response(200, content=content)  # noqa: E731
    with pytest.raises(CrmProtocolError, match="not JSON"):
        make_client(handler)[0].erp_get_engine_status()


def test_numbers_within_the_float_range_decode_as_json_does() -> None:
    numbers = [b"12.25", b"-0.0", b"1.5e300", b"1e-400", b"1" * 199 + b".5e99", b"7E+99", b"3"]
    content = b'{"IsRunning": true, "Values": [' + b", ".join(numbers) + b"]}"
    handler = lambda r: httpx.Response(200, content=content)  # noqa: E731
    answer = make_client(handler)[0].erp_get_engine_status()
    assert [repr(v) for v in answer["Values"]] == [repr(json.loads(n)) for n in numbers]
