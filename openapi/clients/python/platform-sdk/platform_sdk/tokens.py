# verify_access_token: checks a tenant's access token offline (PyJWT, EdDSA) against its cached JWKS.
"""Access-token checks for resource servers (an app's API receiving ``Authorization: Bearer``).

A tenant's access tokens are EdDSA (Ed25519) JWTs. They are checked here with PyJWT against
the tenant's JWKS (``<public_url>/v1/tenants/<tenant_id>/.well-known/jwks.json``), fetched once
and cached (``jwks_cache_seconds``, 300 by default, what the platform's ``Cache-Control`` allows;
an unknown ``kid`` refetches at most once per 30 s). The checks:

* the signature, with ``alg`` ``EdDSA`` only (``none``, HS*, RS* are refused);
* ``iss == "<public_url>/v1/tenants/<tenant_id>"`` and ``aud == "<tenant_id>"``;
* ``exp``, ``nbf`` and ``iat`` present and in range (``leeway`` seconds of clock skew);
* ``token_use == "access"`` (an MFA-enrolment-only token is refused) and ``tenant_id``.

A refused token raises ``PlatformError(401, "unauthorized", <reason>)``; a JWKS that cannot be
fetched raises ``PlatformError(0, "network_error", ...)``. An offline check cannot see a
revocation: a logged-out session's access token passes until it expires (``expires_in``, 15
minutes by default); ask the platform (``GET /me``) where that matters.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import jwt

from .errors import NETWORK_ERROR, PlatformError

ALGORITHMS = ["EdDSA"]
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti"]
UNAUTHORIZED = "unauthorized"


@dataclass(frozen=True, kw_only=True)
class AccessClaims:
    """The checked claims of an access token."""

    iss: str
    sub: str
    """The user's id."""
    aud: str
    exp: int
    iat: int
    nbf: int
    jti: str
    tenant_id: str
    sid: str
    """The session's id."""
    role: str
    permissions: tuple[str, ...]
    amr: tuple[str, ...]
    """How the user authenticated, e.g. ``("pwd", "otp")``."""
    token_use: Literal["access"]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    """Every claim, as decoded."""

    @property
    def user_id(self) -> str:
        return self.sub

    @property
    def session_id(self) -> str:
        return self.sid


def issuer_of(base_url: str, tenant_id: str) -> str:
    """The ``iss`` of a tenant's tokens (the platform's ``tokens::issuer``)."""
    return f"{base_url.rstrip('/')}/v1/tenants/{tenant_id}"


class AccessTokenVerifier:
    """Checks one tenant's access tokens; keeps the JWKS cached. Safe to share between threads.

    ``base_url`` is the platform's public URL (its ``PLATFORM_PUBLIC_URL``, as in the tokens'
    ``iss``), ``tenant_id`` the tenant's id (not its slug): ``UserView.tenant_id``, or the ``id``
    that ``platform tenant create --json`` prints. ``issuer``, ``audience`` and ``jwks_url``
    override what is derived from them.
    """

    def __init__(
        self,
        base_url: str,
        tenant_id: str,
        *,
        leeway: float = 30.0,
        jwks_cache_seconds: float = 300.0,
        timeout: float = 10.0,
        issuer: str | None = None,
        audience: str | None = None,
        jwks_url: str | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.issuer = issuer if issuer is not None else issuer_of(base_url, tenant_id)
        self.audience = audience if audience is not None else tenant_id
        self.jwks_url = jwks_url if jwks_url is not None else f"{issuer_of(base_url, tenant_id)}/.well-known/jwks.json"
        self.leeway = leeway
        self._jwks = jwt.PyJWKClient(
            self.jwks_url,
            cache_jwk_set=True,
            lifespan=jwks_cache_seconds,
            timeout=timeout,
        )

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid access token; raises ``PlatformError`` otherwise."""
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as e:
            raise PlatformError(0, NETWORK_ERROR, f"cannot fetch the JWKS at {self.jwks_url}: {e}") from e
        except jwt.PyJWTError as e:
            raise _refused(f"no key for this token: {e}") from e
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as e:
            raise _refused(str(e) or type(e).__name__) from e
        if claims.get("token_use") != "access":
            raise _refused(f"token_use is {claims.get('token_use')!r}, not 'access'")
        if claims.get("tenant_id") != self.tenant_id:
            raise _refused("the token is for another tenant")
        try:
            return AccessClaims(
                iss=_str(claims, "iss"),
                sub=_str(claims, "sub"),
                aud=_str(claims, "aud"),
                exp=_int(claims, "exp"),
                iat=_int(claims, "iat"),
                nbf=_int(claims, "nbf"),
                jti=_str(claims, "jti"),
                tenant_id=_str(claims, "tenant_id"),
                sid=_str(claims, "sid"),
                role=_str(claims, "role"),
                permissions=_strs(claims, "permissions"),
                amr=_strs(claims, "amr"),
                token_use="access",
                raw=claims,
            )
        except (KeyError, TypeError) as e:
            raise _refused(f"malformed claims: {e}") from e


_verifiers: dict[tuple[str, str], AccessTokenVerifier] = {}
_verifiers_lock = threading.Lock()


def verify_access_token(token: str, *, base_url: str, tenant_id: str) -> AccessClaims:
    """Checks ``token`` as :class:`AccessTokenVerifier` does, with one cached verifier (and so
    one cached JWKS) per ``(base_url, tenant_id)`` in this process."""
    with _verifiers_lock:
        verifier = _verifiers.get((base_url, tenant_id))
        if verifier is None:
            verifier = _verifiers[(base_url, tenant_id)] = AccessTokenVerifier(base_url, tenant_id)
    return verifier.verify(token)


def _refused(reason: str) -> PlatformError:
    return PlatformError(401, UNAUTHORIZED, f"invalid access token: {reason}")


def _str(claims: Mapping[str, Any], name: str) -> str:
    value = claims[name]
    if not isinstance(value, str):
        raise TypeError(f"{name} is not a string")
    return value


def _int(claims: Mapping[str, Any], name: str) -> int:
    value = claims[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} is not an integer")
    return value


def _strs(claims: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name} is not a list of strings")
    return tuple(value)
