# Session: holds one token pair, refreshes it before expiry with one refresh in flight, persists it through a hook.
"""A signed-in session: the token pair, refreshed before it expires.

* :meth:`Session.access_token` gives a valid access token, refreshing the pair first when the
  access token expires within ``refresh_margin`` seconds.
* Only one refresh flies per session: a refresh token is single use, and presenting it twice
  revokes the whole session, so concurrent callers (threads) wait on a lock for the one refresh
  and then all use its result.
* ``on_change(tokens)`` is called (under the lock, in order) with every new pair, and with
  ``None`` when the session ends, so the app can persist the pair (``TokenPair.to_dict()``).
* When the platform refuses the refresh (the session was revoked, the refresh token reused or
  expired: any 4xx but 429), the pair is cleared (``on_change(None)``) and the ``PlatformError``
  raised; later calls raise ``401 unauthorized`` until :meth:`Session.start` is given a new
  pair. A network failure, ``429`` or ``5xx`` keeps the pair (the refresh may be retried).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from platform_client import AuthenticatedClient
from platform_client.models import UserView

from .errors import PlatformError
from .models import TokenPair

if TYPE_CHECKING:
    from .client import TenantClient

TokensHook: TypeAlias = Callable[[TokenPair | None], None]
"""Called with each new token pair, and with ``None`` when the session ends."""

SIGNED_OUT_CODE = "unauthorized"


def _refusal_ends_session(error: PlatformError) -> bool:
    """Whether a failed refresh means the refresh token is gone for good."""
    return 400 <= error.status < 500 and error.status != 429


class Session:
    """One user's session of a :class:`~platform_sdk.TenantClient`; safe to share between threads."""

    def __init__(
        self,
        client: TenantClient,
        tokens: TokenPair | None = None,
        *,
        refresh_margin: float = 60.0,
        on_change: TokensHook | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.refresh_margin = refresh_margin
        self._tokens = tokens
        self._on_change = on_change
        self._clock = clock
        self._lock = threading.Lock()

    @property
    def tokens(self) -> TokenPair | None:
        """The current pair, or ``None`` once the session has ended."""
        return self._tokens

    @property
    def signed_in(self) -> bool:
        return self._tokens is not None

    def start(self, tokens: TokenPair) -> None:
        """Holds a new pair (after a login); ``on_change`` is told."""
        with self._lock:
            self._set(tokens)

    def access_token(self) -> str:
        """A valid access token, refreshed first when it expires within ``refresh_margin``.

        Raises ``PlatformError`` when the session has ended or the refresh fails."""
        with self._lock:
            tokens = self._current()
            if tokens.expires_within(self.refresh_margin, now=self._clock()):
                tokens = self._refresh_locked(tokens)
            return tokens.access_token

    def refresh(self) -> TokenPair:
        """Refreshes now, whatever the expiry (e.g. after MFA enrolment, for an unrestricted
        token)."""
        with self._lock:
            return self._refresh_locked(self._current())

    def authenticated(self) -> AuthenticatedClient:
        """A generated client with a valid access token, for any operation of ``platform_client``."""
        return self.client.authenticated(self.access_token())

    def me(self) -> UserView:
        """The signed-in user."""
        return self.client.me(self.access_token())

    def logout(self) -> None:
        """Ends the session on the platform and forgets the pair (``on_change(None)``). When
        the platform cannot be told (network failure, 5xx), the pair is forgotten all the same
        and the error raised; a session the platform had already ended is not an error."""
        with self._lock:
            tokens = self._tokens
            if tokens is None:
                return
            failure: PlatformError | None = None
            try:
                if tokens.expires_within(self.refresh_margin, now=self._clock()):
                    tokens = self._refresh_locked(tokens)
                self.client.logout(tokens.access_token)
            except PlatformError as e:
                # A refusal (401...) means the session had already ended: logged out all the same.
                if not _refusal_ends_session(e):
                    failure = e
            if self._tokens is not None:
                self._set(None)
            if failure is not None:
                raise failure

    def clear(self) -> None:
        """Forgets the pair locally (``on_change(None)``), without telling the platform."""
        with self._lock:
            if self._tokens is not None:
                self._set(None)

    # --- under the lock ---

    def _current(self) -> TokenPair:
        if self._tokens is None:
            raise PlatformError(401, SIGNED_OUT_CODE, "not signed in: the session has ended")
        return self._tokens

    def _refresh_locked(self, tokens: TokenPair) -> TokenPair:
        try:
            fresh = self.client.refresh(tokens.refresh_token)
        except PlatformError as e:
            if _refusal_ends_session(e):
                self._set(None)
            raise
        self._set(fresh)
        return fresh

    def _set(self, tokens: TokenPair | None) -> None:
        self._tokens = tokens
        if self._on_change is not None:
            self._on_change(tokens)
