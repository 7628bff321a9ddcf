# TenantClient: the generated platform_client bound to one tenant, with typed methods that raise PlatformError.
"""A client bound to one tenant, over the generated ``platform_client`` (httpx).

Every method either returns a typed value or raises :class:`~platform_sdk.PlatformError`
(HTTP problems and network failures alike). For operations without a method here, take a
generated client from :meth:`TenantClient.anonymous` or :meth:`TenantClient.authenticated` and
call the generated module (``platform_client.api...``) with ``TenantClient.tenant``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx
from platform_client import AuthenticatedClient, Client
from platform_client.api.auth import (
    account_register,
    email_resend,
    email_verify,
    mfa_challenge_verify,
    mfa_email_code_send,
    otp_send,
    otp_verify,
    password_forgot,
    password_reset,
    session_login,
    session_logout,
    token_refresh,
)
from platform_client.api.me import me_get
from platform_client.models import (
    EmailCodeRequest,
    EmailRequest,
    LoginRequest,
    LoginResultMfaChallengeView,
    LoginResultTokenPairView,
    MfaLoginRequest,
    MfaTokenRequest,
    Problem,
    RefreshRequest,
    RegisterRequest,
    ResetRequest,
    TokenPairView,
    UserView,
    VerifyEmailRequest,
)
from platform_client.types import UNSET, Response

from .errors import INVALID_RESPONSE, PlatformError
from .models import LoginResult, MfaMethod, MfaRequired, SignedIn, TokenPair

if TYPE_CHECKING:
    from .session import Session, TokensHook

T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0
"""Seconds for connecting, and between bytes read or written, unless told otherwise."""


class TenantClient:
    """The platform's end-user API for one tenant.

    ``base_url`` is the platform's public URL (e.g. ``"https://auth.example.com"``), ``tenant``
    the tenant's slug or id. Connections are pooled across calls; close the client (or use it as a
    context manager) when done. Safe to share between threads.
    """

    def __init__(
        self,
        base_url: str,
        tenant: str,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        verify_ssl: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._headers = dict(headers or {})
        self._verify_ssl = verify_ssl
        # One connection pool shared by the anonymous client and every authenticated one.
        self._transport = httpx.HTTPTransport(verify=verify_ssl)
        self._anonymous = Client(
            base_url=self.base_url,
            timeout=self._timeout,
            headers=self._headers,
            verify_ssl=verify_ssl,
            httpx_args={"transport": self._transport},
        )

    # --- generated clients, for operations this class has no method for ---

    def anonymous(self) -> Client:
        """The generated client for public operations (pass ``self.tenant`` as ``tenant``)."""
        return self._anonymous

    def authenticated(self, access_token: str) -> AuthenticatedClient:
        """A generated client sending ``Authorization: Bearer <access_token>``."""
        return AuthenticatedClient(
            base_url=self.base_url,
            token=access_token,
            timeout=self._timeout,
            headers=self._headers,
            verify_ssl=self._verify_ssl,
            httpx_args={"transport": self._transport},
        )

    def session(
        self,
        tokens: TokenPair | None = None,
        *,
        refresh_margin: float = 60.0,
        on_change: TokensHook | None = None,
    ) -> Session:
        """A :class:`~platform_sdk.Session` holding ``tokens`` (e.g. the ``SignedIn`` of a login)."""
        from .session import Session

        return Session(self, tokens, refresh_margin=refresh_margin, on_change=on_change)

    # --- account ---

    def register(self, email: str, password: str) -> None:
        """Starts a registration: a 6-digit code is mailed to ``email`` (the answer is the same
        whether or not the address already has an account). Finish with :meth:`verify_email`."""
        self._accepted(
            self._call(
                lambda: account_register.sync_detailed(
                    self.tenant,
                    client=self._anonymous,
                    body=RegisterRequest(email=email, password=password),
                )
            )
        )

    def resend_verification(self, email: str) -> None:
        """Mails a new verification code to a registration not yet verified."""
        self._accepted(
            self._call(
                lambda: email_resend.sync_detailed(self.tenant, client=self._anonymous, body=EmailRequest(email=email))
            )
        )

    def verify_email(self, email: str, code: str, *, password: str | None = None) -> TokenPair:
        """Confirms the address with the mailed code; signs the user in."""
        body = VerifyEmailRequest(email=email, code=code, password=UNSET if password is None else password)
        view = self._parsed(
            self._call(lambda: email_verify.sync_detailed(self.tenant, client=self._anonymous, body=body)),
            TokenPairView,
        )
        return TokenPair.from_view(view)

    def forgot_password(self, email: str) -> None:
        """Mails a password-reset link (the answer is the same for unknown addresses)."""
        self._accepted(
            self._call(
                lambda: password_forgot.sync_detailed(
                    self.tenant, client=self._anonymous, body=EmailRequest(email=email)
                )
            )
        )

    def reset_password(self, token: str, new_password: str) -> None:
        """Sets a new password with the token from the reset link."""
        self._accepted(
            self._call(
                lambda: password_reset.sync_detailed(
                    self.tenant,
                    client=self._anonymous,
                    body=ResetRequest(token=token, new_password=new_password),
                )
            )
        )

    # --- signing in and out ---

    def login(self, email: str, password: str) -> LoginResult:
        """Signs in with a password: ``SignedIn`` (a token pair) or ``MfaRequired``."""
        body = LoginRequest(email=email, password=password)
        return self._login_result(
            self._call(lambda: session_login.sync_detailed(self.tenant, client=self._anonymous, body=body))
        )

    def send_login_code(self, email: str) -> None:
        """Mails a one-time sign-in code (passwordless login; finish with :meth:`login_with_code`)."""
        self._accepted(
            self._call(
                lambda: otp_send.sync_detailed(self.tenant, client=self._anonymous, body=EmailRequest(email=email))
            )
        )

    def login_with_code(self, email: str, code: str) -> LoginResult:
        """Signs in with a mailed one-time code: ``SignedIn`` or ``MfaRequired``."""
        body = EmailCodeRequest(email=email, code=code)
        return self._login_result(
            self._call(lambda: otp_verify.sync_detailed(self.tenant, client=self._anonymous, body=body))
        )

    def send_mfa_email_code(self, mfa_token: str) -> None:
        """Mails a second-factor code for a challenge that offers ``"email_otp"``."""
        self._accepted(
            self._call(
                lambda: mfa_email_code_send.sync_detailed(
                    self.tenant, client=self._anonymous, body=MfaTokenRequest(mfa_token=mfa_token)
                )
            )
        )

    def login_mfa(self, mfa_token: str, method: MfaMethod, code: str) -> TokenPair:
        """Finishes an ``MfaRequired`` login with one second factor."""
        body = MfaLoginRequest(mfa_token=mfa_token)
        if method == "totp":
            body.code = code
        elif method == "backup_code":
            body.backup_code = code
        else:
            body.email_code = code
        view = self._parsed(
            self._call(lambda: mfa_challenge_verify.sync_detailed(self.tenant, client=self._anonymous, body=body)),
            TokenPairView,
        )
        return TokenPair.from_view(view)

    def refresh(self, refresh_token: str) -> TokenPair:
        """Exchanges a refresh token (single use) for a new pair. Presenting a used refresh token
        again revokes its whole session: let :class:`~platform_sdk.Session` do this."""
        body = RefreshRequest(refresh_token=refresh_token)
        view = self._parsed(
            self._call(lambda: token_refresh.sync_detailed(self.tenant, client=self._anonymous, body=body)),
            TokenPairView,
        )
        return TokenPair.from_view(view)

    def logout(self, access_token: str) -> None:
        """Ends the session the access token belongs to (its refresh token stops working)."""
        self._accepted(
            self._call(lambda: session_logout.sync_detailed(self.tenant, client=self.authenticated(access_token)))
        )

    def me(self, access_token: str) -> UserView:
        """The signed-in user."""
        return self._parsed(
            self._call(lambda: me_get.sync_detailed(self.tenant, client=self.authenticated(access_token))),
            UserView,
        )

    # --- lifecycle ---

    def close(self) -> None:
        """Closes the pooled connections."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- plumbing ---

    @staticmethod
    def _call(send: Callable[[], Response[T]]) -> Response[T]:
        """Runs a generated call, turning transport failures and unreadable answers into
        PlatformError."""
        try:
            return send()
        except httpx.RequestError as e:
            raise PlatformError.network(e) from e
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            # The generated parser met a body that is not what the spec documents.
            raise PlatformError(0, INVALID_RESPONSE, f"the answer could not be read: {e!r}") from e

    @staticmethod
    def _error(response: Response[Any]) -> PlatformError:
        status = int(response.status_code)
        if isinstance(response.parsed, Problem):
            return PlatformError.from_problem(response.parsed, status)
        if 200 <= status < 300:
            return PlatformError(status, INVALID_RESPONSE, f"unexpected {type(response.parsed).__name__} answer")
        return PlatformError.from_response(status, response.content, response.headers)

    @classmethod
    def _parsed(cls, response: Response[T | Problem], expected: type[T]) -> T:
        parsed = response.parsed
        if 200 <= int(response.status_code) < 300 and isinstance(parsed, expected):
            return parsed
        raise cls._error(response)

    @classmethod
    def _accepted(cls, response: Response[Any]) -> None:
        if 200 <= int(response.status_code) < 300 and not isinstance(response.parsed, Problem):
            return
        raise cls._error(response)

    @classmethod
    def _login_result(
        cls, response: Response[LoginResultMfaChallengeView | LoginResultTokenPairView | Problem]
    ) -> LoginResult:
        # The generated parser picks the member by its `result` discriminator (an enum of one value).
        parsed = response.parsed
        if int(response.status_code) == 200:
            if isinstance(parsed, LoginResultTokenPairView):
                return SignedIn.from_view(parsed)
            if isinstance(parsed, LoginResultMfaChallengeView):
                return MfaRequired.from_view(parsed)
        raise cls._error(response)
