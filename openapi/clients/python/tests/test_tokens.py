# platform_sdk.verify_access_token against a real `platform serve`'s tokens and JWKS: what it accepts and refuses.
"""Offline access-token checks (PyJWT, EdDSA, the tenant's JWKS): a fresh token passes with its
typed claims; a wrong audience or issuer, a tampered signature or payload, a token signed by
another key, `alg: none`, an HMAC token and an expired token are refused with the typed 401; an
unreachable JWKS is a network error."""

from __future__ import annotations

import base64
import datetime
import json

import jwt
import pytest
from conftest import PASSWORD, Platform, free_port
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from platform_sdk import (
    AccessClaims,
    AccessTokenVerifier,
    PlatformError,
    SignedIn,
    TenantClient,
    issuer_of,
    latest_mail,
    verify_access_token,
)

EMAIL = "tia@acme.test"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value: object) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


@pytest.fixture(scope="module")
def signed_in(platform: Platform) -> SignedIn:
    with TenantClient(platform.url, platform.tenant) as client:
        client.register(EMAIL, PASSWORD)
        client.verify_email(EMAIL, latest_mail(platform.mail_dir, EMAIL).code_or_raise())
        result = client.login(EMAIL, PASSWORD)
    assert isinstance(result, SignedIn), result
    return result


def refused(verifier: AccessTokenVerifier, token: str) -> PlatformError:
    with pytest.raises(PlatformError) as e:
        verifier.verify(token)
    assert (e.value.status, e.value.code) == (401, "unauthorized"), e.value
    return e.value


def test_a_fresh_token_passes_with_typed_claims(platform: Platform, signed_in: SignedIn) -> None:
    claims = verify_access_token(signed_in.access_token, base_url=platform.url, tenant_id=platform.tenant_id)
    assert isinstance(claims, AccessClaims)
    assert claims.iss == issuer_of(platform.url, platform.tenant_id)
    assert claims.aud == platform.tenant_id == claims.tenant_id
    assert claims.sub == signed_in.user.id == claims.user_id
    assert claims.sid == signed_in.session_id
    assert claims.token_use == "access"
    assert claims.role == "member" and "pwd" in claims.amr
    assert claims.exp > claims.iat
    # The verifier keeps its JWKS: a second check needs no fetch (the cache answers).
    again = verify_access_token(signed_in.access_token, base_url=platform.url, tenant_id=platform.tenant_id)
    assert again == claims


def test_wrong_audience_or_issuer_is_refused(platform: Platform, signed_in: SignedIn) -> None:
    token = signed_in.access_token
    refused(AccessTokenVerifier(platform.url, platform.tenant_id, audience="another-app"), token)
    refused(
        AccessTokenVerifier(
            platform.url, platform.tenant_id, issuer=issuer_of("https://evil.example", platform.tenant_id)
        ),
        token,
    )


def test_a_tampered_or_forged_token_is_refused(platform: Platform, signed_in: SignedIn) -> None:
    verifier = AccessTokenVerifier(platform.url, platform.tenant_id)
    header, payload, signature = signed_in.access_token.split(".")
    # One signature character changed (in the middle: the last one may only hold padding bits).
    mid = len(signature) // 2
    flipped = signature[:mid] + ("A" if signature[mid] != "A" else "B") + signature[mid + 1 :]
    refused(verifier, f"{header}.{payload}.{flipped}")

    # Another subject with the original signature.
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    refused(verifier, f"{header}.{b64json({**claims, 'sub': 'someone-else'})}.{signature}")

    # Signed by another Ed25519 key under the tenant's kid.
    kid = jwt.get_unverified_header(signed_in.access_token)["kid"]
    forged = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid})
    refused(verifier, forged)

    # alg none, and an HMAC token (only EdDSA is accepted).
    refused(verifier, f"{b64json({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{payload}.")
    hmac = jwt.encode(claims, "a-shared-secret-of-32-bytes-or-more!", algorithm="HS256", headers={"kid": kid})
    refused(verifier, hmac)

    refused(verifier, "not.a.jwt")


def test_an_expired_token_is_refused(platform: Platform, signed_in: SignedIn, monkeypatch: pytest.MonkeyPatch) -> None:
    ahead = datetime.timedelta(seconds=signed_in.expires_in + 60)

    class Later(datetime.datetime):
        """PyJWT's clock (the pinned version reads `datetime.now` in jwt.api_jwt), moved past
        the token's expiry and the 30 s leeway."""

        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> Later:
            return cls.fromtimestamp((datetime.datetime.now(tz) + ahead).timestamp(), tz)

    verifier = AccessTokenVerifier(platform.url, platform.tenant_id)
    verifier.verify(signed_in.access_token)  # valid now (and the JWKS is cached)
    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)
    error = refused(verifier, signed_in.access_token)
    assert "expired" in error.detail.lower()


def test_an_unreachable_jwks_is_a_network_error(platform: Platform, signed_in: SignedIn) -> None:
    verifier = AccessTokenVerifier(
        f"http://127.0.0.1:{free_port()}",
        platform.tenant_id,
        issuer=issuer_of(platform.url, platform.tenant_id),
        timeout=2.0,
    )
    with pytest.raises(PlatformError) as e:
        verifier.verify(signed_in.access_token)
    assert (e.value.status, e.value.code) == (0, "network_error")
