# The generated client (platform_client) alone against a real `platform serve` (see conftest.py).
"""The generated client against a real `platform serve`: a tenant app's whole account flow
(register → emailed code → verify → login → /me → refresh → logout) and an error whose typed
problem body it reads. The server comes from conftest.py ($PLATFORM_BIN)."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from conftest import PASSWORD, TENANT, Platform
from platform_client import AuthenticatedClient, Client
from platform_client.api.auth import (
    account_register,
    email_verify,
    session_login,
    session_logout,
    token_refresh,
)
from platform_client.api.me import me_get
from platform_client.models import (
    Accepted,
    LoginRequest,
    LoginResultMfaChallengeView,
    LoginResultTokenPairView,
    Problem,
    RefreshRequest,
    RegisterRequest,
    TokenPairView,
    UserView,
    VerifyEmailRequest,
)
from platform_sdk.devmail import latest_code

EMAIL = "ann@acme.test"


def test_account_flow_through_the_generated_client(platform: Platform) -> None:
    with ExitStack() as stack:  # closes every client (and its connections) at the end
        anon = stack.enter_context(Client(base_url=platform.url, raise_on_unexpected_status=True))

        registered = account_register.sync_detailed(
            TENANT, client=anon, body=RegisterRequest(email=EMAIL, password=PASSWORD)
        )
        assert registered.status_code == 202
        assert isinstance(registered.parsed, Accepted)

        code = latest_code(platform.mail_dir, EMAIL)
        verified = email_verify.sync(TENANT, client=anon, body=VerifyEmailRequest(email=EMAIL, code=code))
        assert isinstance(verified, TokenPairView), verified
        assert verified.user.email_verified

        pair = session_login.sync(TENANT, client=anon, body=LoginRequest(email=EMAIL, password=PASSWORD))
        # The discriminated login result: narrowed by isinstance, no cast.
        if isinstance(pair, LoginResultMfaChallengeView):
            pytest.fail(f"no MFA expected: {pair}")
        assert isinstance(pair, LoginResultTokenPairView), pair
        assert pair.result == "signed_in"
        assert isinstance(pair.refresh_token, str)

        me = me_get.sync(
            TENANT, client=stack.enter_context(AuthenticatedClient(base_url=platform.url, token=pair.access_token))
        )
        assert isinstance(me, UserView), me
        assert me.email == EMAIL
        assert me.role == "member"

        refreshed = token_refresh.sync(TENANT, client=anon, body=RefreshRequest(refresh_token=pair.refresh_token))
        assert isinstance(refreshed, TokenPairView), refreshed
        assert refreshed.refresh_token != pair.refresh_token

        fresh = stack.enter_context(AuthenticatedClient(base_url=platform.url, token=refreshed.access_token))
        assert session_logout.sync_detailed(TENANT, client=fresh).status_code == 204
        refused = me_get.sync_detailed(TENANT, client=fresh)
        assert refused.status_code == 401, "a logged-out token must be refused"
        assert isinstance(refused.parsed, Problem)

        # An error's typed problem body.
        wrong = session_login.sync_detailed(
            TENANT, client=anon, body=LoginRequest(email=EMAIL, password="Wrong-Password-1")
        )
        assert wrong.status_code == 401
        problem = wrong.parsed
        assert isinstance(problem, Problem), problem
        assert problem.code == "invalid_credentials"
        assert problem.status == 401
        assert problem.type_ == "urn:platform:problem:invalid_credentials"
        assert problem.request_id == wrong.headers["x-request-id"]


def test_a_bad_registration_is_a_typed_400(platform: Platform) -> None:
    with ExitStack() as stack:  # closes every client (and its connections) at the end
        anon = stack.enter_context(Client(base_url=platform.url))
        bad = account_register.sync_detailed(
            TENANT, client=anon, body=RegisterRequest(email="bob@acme.test", password="short")
        )
        assert bad.status_code == 400
        assert isinstance(bad.parsed, Problem), bad.parsed
        assert bad.parsed.code == "invalid_request"
        assert bad.parsed.status == 400
