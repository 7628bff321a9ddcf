# A tiny tenant app on platform_sdk (the README's quick start): sign up, sign in, session, /me, token check, logout.
"""Runs a new user through a tenant: register, read the code from the development mail directory,
verify, log in (the discriminated result), call /me through a session, check the access token
offline as a resource server would, and log out. test-install.sh type-checks it with
``mypy --strict`` and runs it against a real server.

    python quickstart.py BASE_URL TENANT TENANT_ID MAIL_DIR EMAIL
"""

from __future__ import annotations

import sys
from typing import assert_never

from platform_sdk import (
    MfaRequired,
    PlatformError,
    SignedIn,
    TenantClient,
    TokenPair,
    latest_mail,
    verify_access_token,
)

PASSWORD = "Correct-Horse-Battery-9"


def main(base_url: str, tenant: str, tenant_id: str, mail_dir: str, email: str) -> int:
    with TenantClient(base_url, tenant) as client:
        client.register(email, PASSWORD)
        code = latest_mail(mail_dir, email).code_or_raise()  # development only: reads .eml files
        client.verify_email(email, code)

        result = client.login(email, PASSWORD)
        match result:
            case SignedIn():
                tokens: TokenPair = result
            case MfaRequired(methods=methods):
                print(f"a second factor is needed: one of {', '.join(methods)}", file=sys.stderr)
                return 1
            case _:
                assert_never(result)

        saved: list[TokenPair | None] = []
        session = client.session(tokens, on_change=saved.append)  # the app would persist the pair
        me = session.me()
        claims = verify_access_token(session.access_token(), base_url=base_url, tenant_id=tenant_id)
        assert claims.sub == me.id and claims.sid == tokens.session_id

        session.logout()
        try:
            client.me(tokens.access_token)
        except PlatformError as e:
            refused = f"{e.status} {e.code}"
        else:
            refused = "not refused"
        print(f"signed up, in and out as {me.email} (role {me.role}); after logout /me answers {refused}")
        return 0 if refused == "401 unauthorized" and saved == [None] else 1


if __name__ == "__main__":
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(main(*sys.argv[1:6]))
    except PlatformError as e:
        print(f"platform error: {e}", file=sys.stderr)
        sys.exit(1)
