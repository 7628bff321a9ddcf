# platform_sdk: hand-written helpers over the generated platform_client (client, errors, session, tokens, dev mail).
"""Helpers for tenant apps of the multi-tenant authentication platform.

* :class:`TenantClient` — the API bound to one tenant, typed methods, one error type.
* :class:`PlatformError` — every failure: HTTP problems (``status``, ``code``, ``detail``,
  ``request_id``, ``errors``) and network failures (``status == 0``, ``code == "network_error"``).
* :class:`SignedIn` | :class:`MfaRequired` — what ``login`` answers.
* :class:`Session` — the token pair, refreshed before expiry, one refresh in flight.
* :func:`verify_access_token` / :class:`AccessTokenVerifier` — offline access-token checks.
* :func:`latest_mail` — development: the newest mail to an address, decoded, code and link.
"""

from .client import TenantClient
from .devmail import DevMail, latest_code, latest_mail, read_mail
from .errors import INVALID_RESPONSE, NETWORK_ERROR, FieldError, PlatformError
from .models import MFA_METHODS, LoginResult, MfaMethod, MfaRequired, SignedIn, TokenPair, is_mfa_method
from .session import Session, TokensHook
from .tokens import AccessClaims, AccessTokenVerifier, issuer_of, verify_access_token

__all__ = [
    "INVALID_RESPONSE",
    "MFA_METHODS",
    "NETWORK_ERROR",
    "AccessClaims",
    "AccessTokenVerifier",
    "DevMail",
    "FieldError",
    "LoginResult",
    "MfaMethod",
    "MfaRequired",
    "PlatformError",
    "Session",
    "SignedIn",
    "TenantClient",
    "TokenPair",
    "TokensHook",
    "is_mfa_method",
    "issuer_of",
    "latest_code",
    "latest_mail",
    "read_mail",
    "verify_access_token",
]
