# The SDK's result types: a token pair, and login's discriminated result (SignedIn | MfaRequired).
"""Typed results of the tenant client.

``login`` answers ``SignedIn | MfaRequired`` (discriminated by the API's ``result`` member), so a
``match`` statement or ``isinstance`` narrows it without casts::

    match client.login(email, password):
        case SignedIn() as tokens:
            ...
        case MfaRequired(mfa_token=token, methods=methods):
            ...

The token pair always holds a ``refresh_token`` (the SDK never asks for cookie mode, where the
refresh token would travel in a browser cookie instead), and ``expires_at``, the wall-clock time
(``time.time()``) at which the access token expires.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, TypeAlias, TypeGuard, get_args

from platform_client.models import MfaMethod as GeneratedMfaMethod
from platform_client.models import UserView
from platform_client.types import Unset

from .errors import INVALID_RESPONSE, PlatformError

MfaMethod: TypeAlias = Literal["totp", "backup_code", "email_otp"]
"""A second factor a login challenge accepts."""

MFA_METHODS: tuple[MfaMethod, ...] = get_args(MfaMethod)


def is_mfa_method(value: str) -> TypeGuard[MfaMethod]:
    """Whether ``value`` is one of the second factors the SDK knows."""
    return value in MFA_METHODS


class PairView(Protocol):
    """What the generated token-pair models have (``TokenPairView``, ``LoginResultTokenPairView``)."""

    @property
    def access_token(self) -> str: ...
    @property
    def expires_in(self) -> int: ...
    @property
    def session_id(self) -> str: ...
    @property
    def user(self) -> UserView: ...
    @property
    def refresh_token(self) -> str | Unset: ...
    @property
    def mfa_enrollment_required(self) -> bool | Unset: ...


class ChallengeView(Protocol):
    """What the generated MFA challenge models have (``MfaChallengeView``,
    ``LoginResultMfaChallengeView``)."""

    @property
    def mfa_token(self) -> str: ...
    @property
    def methods(self) -> Sequence[GeneratedMfaMethod]: ...
    @property
    def expires_in(self) -> int: ...


@dataclass(frozen=True, kw_only=True)
class TokenPair:
    """An access token (a short-lived JWT) and the single-use refresh token of one session."""

    access_token: str
    refresh_token: str
    expires_in: int
    """Seconds the access token was valid for when it was issued."""
    expires_at: float
    """When the access token expires, in seconds since the epoch (``time.time()``)."""
    session_id: str
    user: UserView = field(compare=False)
    mfa_enrollment_required: bool = False
    """The tenant requires two-factor authentication and the user has not enrolled: the access
    token reaches only the enrolment endpoints and logout; refresh after enrolling."""

    @classmethod
    def from_view(cls, view: PairView, *, now: float | None = None) -> TokenPair:
        """A pair from a generated token-pair model."""
        refresh_token = view.refresh_token
        if not isinstance(refresh_token, str):
            raise PlatformError(
                0,
                INVALID_RESPONSE,
                "the token pair has no refresh_token (cookie mode is for browsers, not this SDK)",
            )
        issued = time.time() if now is None else now
        return cls(
            access_token=view.access_token,
            refresh_token=refresh_token,
            expires_in=view.expires_in,
            expires_at=issued + view.expires_in,
            session_id=view.session_id,
            user=view.user,
            mfa_enrollment_required=view.mfa_enrollment_required is True,
        )

    def expires_within(self, seconds: float, *, now: float | None = None) -> bool:
        """Whether the access token expires less than ``seconds`` from now (or already has)."""
        return (time.time() if now is None else now) >= self.expires_at - seconds

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form, to persist the pair (see :meth:`from_dict`)."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "expires_at": self.expires_at,
            "session_id": self.session_id,
            "user": self.user.to_dict(),
            "mfa_enrollment_required": self.mfa_enrollment_required,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenPair:
        """The pair :meth:`to_dict` gave."""
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_in=int(data["expires_in"]),
            expires_at=float(data["expires_at"]),
            session_id=str(data["session_id"]),
            user=UserView.from_dict(data["user"]),
            mfa_enrollment_required=bool(data.get("mfa_enrollment_required", False)),
        )


@dataclass(frozen=True, kw_only=True)
class SignedIn(TokenPair):
    """Login succeeded: a token pair (``result == "signed_in"``)."""

    result: ClassVar[Literal["signed_in"]] = "signed_in"

    @classmethod
    def from_view(cls, view: PairView, *, now: float | None = None) -> SignedIn:
        pair = TokenPair.from_view(view, now=now)
        return cls(**{f: getattr(pair, f) for f in pair.__dataclass_fields__})


@dataclass(frozen=True, kw_only=True)
class MfaRequired:
    """The password was right and a second factor is needed (``result == "mfa_required"``):
    finish with ``TenantClient.login_mfa(mfa_token, method, code)``."""

    result: ClassVar[Literal["mfa_required"]] = "mfa_required"

    mfa_token: str
    """Single use, valid ``expires_in`` seconds."""
    methods: tuple[MfaMethod, ...]
    """The second factors accepted (unknown future methods are left out)."""
    expires_in: int

    @classmethod
    def from_view(cls, view: ChallengeView) -> MfaRequired:
        """A challenge from a generated challenge model."""
        methods: list[MfaMethod] = []
        for method in view.methods:
            if is_mfa_method(method.value):
                methods.append(method.value)
        return cls(mfa_token=view.mfa_token, methods=tuple(methods), expires_in=view.expires_in)


LoginResult: TypeAlias = SignedIn | MfaRequired
"""What ``login`` and ``login_with_code`` answer."""
