# platform_sdk.TenantClient against a real `platform serve`: the account flow, typed errors, MFA, reset links.
"""The tenant-bound client: register → code from the mail (dev helper) → verify → login
(discriminated) → me → refresh → logout; every failure as one PlatformError (HTTP problems with
their field errors, and network failures); an MFA login (MfaRequired → login_mfa); a password
reset through the mailed link's token."""

from __future__ import annotations

from pathlib import Path
from typing import assert_never

import pyotp
import pytest
from conftest import PASSWORD, Platform, free_port
from platform_client.api.mfa import totp_confirm, totp_enroll
from platform_client.models import BackupCodesView, ReauthRequest, TotpCodeRequest, TotpEnrolmentView
from platform_sdk import (
    MfaRequired,
    PlatformError,
    SignedIn,
    TenantClient,
    TokenPair,
    latest_mail,
)


def signed_up(client: TenantClient, mail_dir: Path, email: str) -> TokenPair:
    """A verified account, registered and confirmed with the mailed code."""
    client.register(email, PASSWORD)
    mail = latest_mail(mail_dir, email)
    return client.verify_email(email, mail.code_or_raise())


def test_the_account_flow(platform: Platform) -> None:
    email = "ann@acme.test"
    with TenantClient(platform.url, platform.tenant) as client:
        client.register(email, PASSWORD)
        mail = latest_mail(platform.mail_dir, email)
        assert mail.to == (email,)
        assert mail.code is not None and len(mail.code) == 6 and mail.code.isdigit()
        assert mail.code in mail.text  # decoded plain text (the file is quoted-printable)
        verified = client.verify_email(email, mail.code)
        assert verified.user.email_verified
        assert verified.user.tenant_id == platform.tenant_id

        result = client.login(email, PASSWORD)
        match result:
            case SignedIn() as tokens:
                assert tokens.result == "signed_in"
                assert tokens.refresh_token  # a str, never optional
            case MfaRequired():
                pytest.fail(f"no MFA expected: {result}")
            case _:
                assert_never(result)

        me = client.me(tokens.access_token)
        assert me.email == email
        assert me.role == "member"
        assert me.status == "active"

        refreshed = client.refresh(tokens.refresh_token)
        assert refreshed.refresh_token != tokens.refresh_token
        assert refreshed.session_id == tokens.session_id

        client.logout(refreshed.access_token)
        with pytest.raises(PlatformError) as refused:
            client.me(refreshed.access_token)
        assert refused.value.status == 401
        with pytest.raises(PlatformError) as reused:
            client.refresh(refreshed.refresh_token)
        assert reused.value.status == 401
        assert reused.value.code == "invalid_refresh_token"


def test_http_errors_are_one_typed_shape(platform: Platform) -> None:
    with TenantClient(platform.url, platform.tenant) as client:
        with pytest.raises(PlatformError) as wrong:
            client.login("nobody@acme.test", "Wrong-Password-1")
        e = wrong.value
        assert (e.status, e.code) == (401, "invalid_credentials")
        assert e.request_id and e.detail
        assert e.errors == ()

        with pytest.raises(PlatformError) as bad:
            client.register("bob@acme.test", "short")
        e = bad.value
        assert (e.status, e.code) == (400, "invalid_request")
        password = e.field_error("/password")
        assert password is not None, e.errors
        assert password.code and password.message

        with pytest.raises(PlatformError) as bad_email:
            client.register("not-an-email", PASSWORD)
        assert bad_email.value.field_error("/email") is not None, bad_email.value.errors

    with TenantClient(platform.url, "no-such-tenant") as other:
        with pytest.raises(PlatformError) as missing:
            other.login("ann@acme.test", PASSWORD)
        assert missing.value.status == 404
        assert missing.value.code == "tenant_not_found"


def test_a_network_failure_is_the_same_exception_type(platform: Platform) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with TenantClient(closed, platform.tenant, timeout=2.0) as client:
        with pytest.raises(PlatformError) as failure:
            client.login("ann@acme.test", PASSWORD)
    e = failure.value
    assert (e.status, e.code) == (0, "network_error")
    assert e.is_network_error
    assert e.request_id is None
    assert "ConnectError" in e.detail


def test_an_mfa_login_is_discriminated(platform: Platform) -> None:
    email = "mia@acme.test"
    with TenantClient(platform.url, platform.tenant) as client:
        tokens = signed_up(client, platform.mail_dir, email)
        # Enrol TOTP with the generated client (the helpers have no method for it).
        authed = client.authenticated(tokens.access_token)
        enrolment = totp_enroll.sync(client.tenant, client=authed, body=ReauthRequest(current_password=PASSWORD))
        assert isinstance(enrolment, TotpEnrolmentView), enrolment
        confirmed = totp_confirm.sync(
            client.tenant, client=authed, body=TotpCodeRequest(code=pyotp.TOTP(enrolment.secret).now())
        )
        assert isinstance(confirmed, BackupCodesView), confirmed

        result = client.login(email, PASSWORD)
        assert isinstance(result, MfaRequired), result
        assert result.result == "mfa_required"
        assert "totp" in result.methods and "backup_code" in result.methods
        with pytest.raises(PlatformError) as wrong:
            client.login_mfa(result.mfa_token, "backup_code", "not-a-backup-code")
        assert wrong.value.status in (400, 401)

        again = client.login(email, PASSWORD)
        assert isinstance(again, MfaRequired)
        pair = client.login_mfa(again.mfa_token, "backup_code", confirmed.backup_codes[0])
        assert client.me(pair.access_token).mfa_enabled


def test_a_password_reset_through_the_mailed_link(platform: Platform) -> None:
    email = "rob@acme.test"
    with TenantClient(platform.url, platform.tenant) as client:
        signed_up(client, platform.mail_dir, email)
        verification = latest_mail(platform.mail_dir, email)
        client.forgot_password(email)
        reset = latest_mail(platform.mail_dir, email, newer_than=verification)
        assert reset.path != verification.path
        assert reset.link is not None and reset.link.startswith("http")
        token = reset.token_or_raise()
        assert "=" not in token and token in reset.link  # decoded, no quoted-printable left
        client.reset_password(token, "Another-Horse-Battery-7")
        assert isinstance(client.login(email, "Another-Horse-Battery-7"), SignedIn)
        with pytest.raises(PlatformError) as old:
            client.login(email, PASSWORD)
        assert old.value.code == "invalid_credentials"
