"""The generated client against a real `platform serve`: a tenant app's whole account flow
(register → emailed code → verify → login → /me → refresh → logout) and an error whose typed
problem body it reads. The server binary comes from $PLATFORM_BIN (default:
target/release/platform in the repository)."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from platform_client import AuthenticatedClient, Client
from platform_client.api.auth import (
    account_register,
    email_verify,
    session_login,
    session_logout,
    token_refresh,
)
from platform_client.api.health import health_live
from platform_client.api.me import me_get
from platform_client.models import (
    Accepted,
    EmailCodeRequest,
    LoginRequest,
    MfaChallengeView,
    Problem,
    RefreshRequest,
    RegisterRequest,
    TokenPairView,
    UserView,
)

REPO = Path(__file__).resolve().parents[4]
TENANT = "acme"
EMAIL = "ann@acme.test"
PASSWORD = "Correct-Horse-Battery-9"


def platform_bin() -> Path:
    raw = os.environ.get("PLATFORM_BIN")
    path = Path(raw) if raw else REPO / "target" / "release" / "platform"
    if not path.is_absolute():
        path = REPO / path
    assert path.is_file(), f"build the platform binary first (or set PLATFORM_BIN): {path}"
    return path


@dataclass
class Platform:
    url: str
    mail_dir: Path


def platform_env(tmp: Path) -> dict[str, str]:
    # No PLATFORM_* setting of this shell reaches the server (PLATFORM_CONFIG,
    # PLATFORM_DATABASE_URL, PLATFORM_SMTP_URL…); it also refuses unknown ones such as PLATFORM_BIN.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
    env["PLATFORM_DATA_DIR"] = str(tmp / "data")
    env["PLATFORM_MAIL_DIR"] = str(tmp / "mail")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with tempfile.TemporaryDirectory(prefix="platform-py-client-") as raw:
        tmp = Path(raw)
        env = platform_env(tmp)
        created = subprocess.run(
            [platform_bin(), "tenant", "create", TENANT], env=env, capture_output=True, text=True
        )
        assert created.returncode == 0, f"tenant create failed: {created.stderr}"
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env["PLATFORM_LISTEN"] = f"127.0.0.1:{port}"
        env["PLATFORM_PUBLIC_URL"] = url
        with open(tmp / "server.log", "wb") as log:
            server = subprocess.Popen(
                [platform_bin(), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            with Client(base_url=url) as client:
                for _ in range(200):
                    if server.poll() is not None:
                        break
                    try:
                        if health_live.sync_detailed(client=client).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(0.05)
                else:
                    server.poll()
            if server.returncode is not None:
                log_text = (tmp / "server.log").read_text(errors="replace")
                pytest.fail(f"platform exited ({server.returncode}):\n{log_text}")
            yield Platform(url=url, mail_dir=tmp / "mail")
        finally:
            server.kill()
            server.wait()


def code_for(mail_dir: Path, to: str) -> str:
    """The 6-digit code in the newest mail to `to` (delivered asynchronously, so poll)."""
    for _ in range(100):
        files = sorted(mail_dir.glob("*.eml"), key=lambda f: (f.stat().st_mtime_ns, f.name))
        for f in reversed(files):
            lines = f.read_text(errors="replace").splitlines()
            if not any(line.lower().startswith("to:") and to in line for line in lines):
                continue
            # The code stands alone on its line in the plain-text part.
            for line in (line.strip() for line in lines):
                if len(line) == 6 and line.isdigit():
                    return line
        time.sleep(0.05)
    raise AssertionError(f"no code mailed to {to}")


def test_account_flow_through_the_generated_client(platform: Platform) -> None:
    anon = Client(base_url=platform.url, raise_on_unexpected_status=True)

    registered = account_register.sync_detailed(
        TENANT, client=anon, body=RegisterRequest(email=EMAIL, password=PASSWORD)
    )
    assert registered.status_code == 202
    assert isinstance(registered.parsed, Accepted)

    code = code_for(platform.mail_dir, EMAIL)
    verified = email_verify.sync(TENANT, client=anon, body=EmailCodeRequest(email=EMAIL, code=code))
    assert isinstance(verified, TokenPairView), verified
    assert verified.user.email_verified

    pair = session_login.sync(TENANT, client=anon, body=LoginRequest(email=EMAIL, password=PASSWORD))
    if isinstance(pair, MfaChallengeView):
        pytest.fail(f"no MFA expected: {pair}")
    assert isinstance(pair, TokenPairView), pair
    assert isinstance(pair.refresh_token, str)

    me = me_get.sync(TENANT, client=AuthenticatedClient(base_url=platform.url, token=pair.access_token))
    assert isinstance(me, UserView), me
    assert me.email == EMAIL
    assert me.role == "member"

    refreshed = token_refresh.sync(
        TENANT, client=anon, body=RefreshRequest(refresh_token=pair.refresh_token)
    )
    assert isinstance(refreshed, TokenPairView), refreshed
    assert refreshed.refresh_token != pair.refresh_token

    fresh = AuthenticatedClient(base_url=platform.url, token=refreshed.access_token)
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
    anon = Client(base_url=platform.url)
    bad = account_register.sync_detailed(
        TENANT, client=anon, body=RegisterRequest(email="bob@acme.test", password="short")
    )
    assert bad.status_code == 400
    assert isinstance(bad.parsed, Problem), bad.parsed
    assert bad.parsed.code == "invalid_request"
    assert bad.parsed.status == 400
