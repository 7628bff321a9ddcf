# platform_sdk.Session against a real `platform serve`: refresh before expiry, single flight, revocation, persistence.
"""The session helper: it refreshes within its margin of the expiry; N threads asking for a token
of an expired pair cause exactly one refresh (two with one refresh token would revoke the
session) and the session still works; a revoked session raises the typed error and clears the
pair; a network failure keeps it; logout ends it; a persisted pair resumes."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator

import pytest
from conftest import PASSWORD, Platform, free_port
from platform_sdk import PlatformError, Session, SignedIn, TenantClient, TokenPair, latest_mail


class CountingClient(TenantClient):
    """Counts the refreshes that reach the platform."""

    refreshes = 0

    def refresh(self, refresh_token: str) -> TokenPair:
        type(self).refreshes += 1
        time.sleep(0.05)  # widen the window in which a second refresh could start
        return super().refresh(refresh_token)


def sign_in(client: TenantClient, platform: Platform, email: str) -> SignedIn:
    client.register(email, PASSWORD)
    client.verify_email(email, latest_mail(platform.mail_dir, email).code_or_raise())
    result = client.login(email, PASSWORD)
    assert isinstance(result, SignedIn), result
    return result


def expired(tokens: TokenPair) -> TokenPair:
    return dataclasses.replace(tokens, expires_at=time.time() - 1)


@pytest.fixture(scope="module")
def client(platform: Platform) -> Iterator[TenantClient]:
    with CountingClient(platform.url, platform.tenant) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(client: TenantClient, platform: Platform) -> SignedIn:
    return sign_in(client, platform, "sam@acme.test")


def test_it_refreshes_before_expiry(client: TenantClient, platform: Platform) -> None:
    tokens = sign_in(client, platform, "eve@acme.test")
    now = [time.time()]
    seen: list[TokenPair | None] = []
    session = Session(client, tokens, refresh_margin=60, on_change=seen.append, clock=lambda: now[0])

    assert session.access_token() == tokens.access_token  # far from expiry: no refresh
    assert seen == []

    now[0] = tokens.expires_at - 61
    assert session.access_token() == tokens.access_token
    now[0] = tokens.expires_at - 59  # within the margin: refreshed first
    fresh = session.access_token()
    assert fresh != tokens.access_token
    assert len(seen) == 1 and seen[0] is not None and seen[0].access_token == fresh
    assert session.tokens is seen[0]
    assert seen[0].session_id == tokens.session_id
    now[0] = time.time()
    assert session.me().email == "eve@acme.test"


def test_one_refresh_flies_for_many_threads(client: TenantClient, tokens: SignedIn) -> None:
    changes: list[TokenPair | None] = []
    session = Session(client, expired(tokens), on_change=changes.append)
    before = CountingClient.refreshes
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    got: list[str] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            barrier.wait()
            got.append(session.access_token())
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=ask) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert CountingClient.refreshes - before == 1
    assert len(changes) == 1
    assert len(got) == threads_n and len(set(got)) == 1 and got[0] != tokens.access_token
    # Had two refreshes presented the same refresh token, the platform would have revoked the
    # session: it still works, and refreshes again.
    assert session.me().email == "sam@acme.test"
    assert session.refresh().access_token != got[0]


def test_a_revoked_session_raises_the_typed_error(client: TenantClient, platform: Platform) -> None:
    tokens = sign_in(client, platform, "rev@acme.test")
    client.logout(tokens.access_token)  # e.g. revoked from another device
    changes: list[TokenPair | None] = []
    session = Session(client, expired(tokens), on_change=changes.append)

    with pytest.raises(PlatformError) as refused:
        session.access_token()
    assert refused.value.status == 401
    assert refused.value.code == "invalid_refresh_token"
    assert session.tokens is None and not session.signed_in
    assert changes == [None]

    with pytest.raises(PlatformError) as ended:
        session.access_token()
    assert (ended.value.status, ended.value.code) == (401, "unauthorized")
    session.logout()  # an ended session: nothing to do, no error


def test_a_network_failure_keeps_the_pair(tokens: SignedIn, platform: Platform) -> None:
    with TenantClient(f"http://127.0.0.1:{free_port()}", platform.tenant, timeout=2.0) as offline:
        session = Session(offline, expired(tokens))
        with pytest.raises(PlatformError) as failure:
            session.access_token()
        assert failure.value.code == "network_error"
        assert session.tokens is not None  # may be retried


def test_logout_ends_the_session_and_a_persisted_pair_resumes(client: TenantClient, platform: Platform) -> None:
    stored: dict[str, str] = {}

    def persist(pair: TokenPair | None) -> None:
        if pair is None:
            stored.pop("pair", None)
        else:
            stored["pair"] = json.dumps(pair.to_dict())

    session = client.session(sign_in(client, platform, "pat@acme.test"), on_change=persist)
    session.start(session.tokens or pytest.fail("no tokens"))  # start() tells the hook too
    assert "pair" in stored

    resumed = client.session(TokenPair.from_dict(json.loads(stored["pair"])), on_change=persist)
    assert resumed.tokens is not None and session.tokens is not None
    assert resumed.tokens.to_dict() == session.tokens.to_dict()
    assert resumed.me().email == "pat@acme.test"
    old = resumed.tokens
    assert old is not None

    resumed.logout()
    assert resumed.tokens is None and "pair" not in stored
    with pytest.raises(PlatformError) as gone:
        client.refresh(old.refresh_token)
    assert gone.value.status == 401
