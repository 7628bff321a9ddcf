# Shared pytest fixtures for the Python client tests: a real `platform serve` per test module ($PLATFORM_BIN).
"""Each test module gets its own server (SQLite, mail and data in a temp dir, a free port, tenant
`acme`), so the per-IP rate limits of one module's flows do not reach another's. The binary
comes from $PLATFORM_BIN (default: target/release/platform in the repository)."""

from __future__ import annotations

import json
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

REPO = Path(__file__).resolve().parents[4]
TENANT = "acme"
PASSWORD = "Correct-Horse-Battery-9"


def platform_bin() -> Path:
    raw = os.environ.get("PLATFORM_BIN")
    path = Path(raw) if raw else REPO / "target" / "release" / "platform"
    if not path.is_absolute():
        path = REPO / path
    assert path.is_file(), f"build the platform binary first (or set PLATFORM_BIN): {path}"
    return path


@dataclass(frozen=True)
class Platform:
    url: str
    mail_dir: Path
    tenant: str
    tenant_id: str


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
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with tempfile.TemporaryDirectory(prefix="platform-py-client-") as raw:
        tmp = Path(raw)
        env = platform_env(tmp)
        created = subprocess.run(
            [platform_bin(), "tenant", "create", TENANT, "--json"], env=env, capture_output=True, text=True
        )
        assert created.returncode == 0, f"tenant create failed: {created.stderr}"
        tenant_id = json.loads(created.stdout)["id"]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env["PLATFORM_LISTEN"] = f"127.0.0.1:{port}"
        env["PLATFORM_PUBLIC_URL"] = url
        with open(tmp / "server.log", "wb") as log:
            server = subprocess.Popen([platform_bin(), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(200):
                if server.poll() is not None:
                    break
                try:
                    if httpx.get(f"{url}/health/live", timeout=1.0).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
            else:
                server.poll()
            if server.returncode is not None:
                log_text = (tmp / "server.log").read_text(errors="replace")
                pytest.fail(f"platform exited ({server.returncode}):\n{log_text}")
            yield Platform(url=url, mail_dir=tmp / "mail", tenant=TENANT, tenant_id=tenant_id)
        finally:
            server.kill()
            server.wait()
