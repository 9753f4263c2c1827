"""The cryptography of the system user flow: the app's key, the signed token, the JWT back.

``cryptography`` loads the key (PEM, PKCS#1 or PKCS#8, or the developer portal's RSA XML) and
signs ``<system user token>.<yyyyMMddHHmm UTC>`` (PKCS#1 v1.5, SHA-256); ``PyJWT`` verifies the
JWT SuperOffice answers with (RS256 only) against the environment's published keys. Nothing
here is hand-rolled cryptography, and no message shows a key, a token or a ticket.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from quotesync_gitops.crm.errors import CrmAuthError, CrmConfigError, CrmProtocolError

TICKET_CLAIM = "http://schemes.superoffice.net/identity/ticket"
SERIAL_CLAIM = "http://schemes.superoffice.net/identity/serial"
CONTEXT_CLAIM = "http://schemes.superoffice.net/identity/ctx"
SYSTEM_USER_ISSUER = "SuperOffice AS"
#: Seconds of clock difference tolerated when checking a JWT's times.
JWT_LEEWAY = 120


def load_private_key(text: str, *, source: str) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM (PKCS#1 or PKCS#8) or from the developer portal's RSA XML.

    Errors name ``source`` (an environment variable or file), never the key.
    """
    stripped = text.strip()
    # A PEM pasted on one line with \n escapes, as CI secret stores often hold it:
    if "\n" not in stripped and "\\n" in stripped:
        stripped = stripped.replace("\\n", "\n")
    try:
        if stripped.startswith("<"):
            return _key_from_xml(stripped)
        key = serialization.load_pem_private_key(stripped.encode("utf-8"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm, ET.ParseError, binascii.Error):
        raise CrmConfigError(
            f"{source} is not an unencrypted RSA private key in PEM or RSA XML (<RSAKeyValue>) form"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CrmConfigError(f"{source} holds a private key that is not RSA")
    return key


def _key_from_xml(text: str) -> rsa.RSAPrivateKey:
    root = ET.fromstring(text)
    if root.tag != "RSAKeyValue":
        raise ValueError("not an RSAKeyValue document")

    def number(name: str) -> int:
        node = root.find(name)
        if node is None or not (node.text or "").strip():
            raise ValueError(f"{name} is missing")
        return int.from_bytes(base64.b64decode((node.text or "").strip(), validate=True), "big")

    public = rsa.RSAPublicNumbers(number("Exponent"), number("Modulus"))
    private = rsa.RSAPrivateNumbers(
        p=number("P"),
        q=number("Q"),
        d=number("D"),
        dmp1=number("DP"),
        dmq1=number("DQ"),
        iqmp=number("InverseQ"),
        public_numbers=public,
    )
    return private.private_key()


def sign_system_token(system_user_token: str, key: rsa.RSAPrivateKey, at: datetime) -> str:
    """``<token>.<yyyyMMddHHmm UTC>.<base64 RSA-SHA256 signature of the first two parts>``."""
    payload = f"{system_user_token}.{at.astimezone(UTC).strftime('%Y%m%d%H%M')}"
    signature = key.sign(payload.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return f"{payload}.{base64.b64encode(signature).decode('ascii')}"


def ticket_from_jwt(token: str, jwks: Any, *, context_id: str) -> str:
    """The ticket claim of a system user JWT, after verifying it (RS256, keys from ``jwks``).

    Checks the signature against the key named by ``kid`` (any RSA key when none is named),
    the issuer, the audience ``spn:<serial>`` (the serial claim, as SuperOffice's own client
    does), the times with some leeway, and that the token is for ``context_id``.
    """
    operation = "PartnerSystemUser/Authenticate"
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
        keys = jwt.PyJWKSet.from_dict(jwks).keys if isinstance(jwks, dict) else []
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise CrmProtocolError(
            f"the sign-in answer is not a usable JWT ({type(exc).__name__})", operation=operation
        ) from None
    kid = header.get("kid")
    candidates = [k for k in keys if kid is None or k.key_id == kid]
    if not candidates:
        raise CrmAuthError(
            "the sign-in token is signed with a key the environment does not publish "
            "(its JWKS has no such kid): refusing it",
            operation=operation,
        )
    serial = unverified.get(SERIAL_CLAIM)
    audience = f"spn:{serial}" if isinstance(serial, str) and serial else None
    claims: dict[str, Any] | None = None
    for candidate in candidates:
        try:
            claims = jwt.decode(
                token,
                key=candidate.key,
                algorithms=["RS256"],
                issuer=SYSTEM_USER_ISSUER,
                audience=audience,
                leeway=JWT_LEEWAY,
                options={"require": ["iss"], "verify_aud": audience is not None},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise CrmAuthError(
                f"the sign-in token failed verification: {exc}", operation=operation
            ) from None
    if claims is None:
        raise CrmAuthError(
            "the sign-in token's signature does not verify against the environment's keys: "
            "refusing it",
            operation=operation,
        )
    ctx = claims.get(CONTEXT_CLAIM)
    if isinstance(ctx, str) and ctx and ctx.lower() != context_id.lower():
        raise CrmAuthError(
            f"the sign-in token is for tenant {ctx!r}, not {context_id!r}", operation=operation
        )
    ticket = claims.get(TICKET_CLAIM)
    if not isinstance(ticket, str) or not ticket:
        raise CrmProtocolError("the sign-in token carries no ticket claim", operation=operation)
    return ticket
