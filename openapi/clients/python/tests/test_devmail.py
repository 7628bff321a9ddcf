# platform_sdk.devmail on .eml files made here: decoding, the newest mail per address, newer_than, timeouts.
"""The development mail reader, without a server: quoted-printable multipart mail like the
platform's is decoded by the standard library; the newest mail to the address wins (others'
mail is ignored); `newer_than` waits for a later one; a half-written file is not read; no mail
is a TimeoutError."""

from __future__ import annotations

import os
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from platform_sdk import latest_mail, read_mail

LONG_LINK = "http://127.0.0.1:8080/reset-password?tenant=acme&token=hq6_1wJM0VPDqBwj2-RdmOghf84Db9cxe1GD7eIzCs4"


def write_mail(folder: Path, name: str, to: str, text: str, *, mtime: float | None = None) -> Path:
    message = EmailMessage()
    message["From"] = "acme <no-reply@localhost>"
    message["To"] = to
    message["Subject"] = "Your acme code"
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(f"<p>{text}</p>", subtype="html", cte="quoted-printable")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    path.write_bytes(message.as_bytes())
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_a_quoted_printable_mail_is_decoded(tmp_path: Path) -> None:
    text = f"Open this link (it expires in 30 minutes):\n\n{LONG_LINK}\n\nYour code is:\n\n    123456\n"
    path = write_mail(tmp_path, "a", "Ann <ann@acme.test>", text)
    assert b"=3D" in path.read_bytes()  # the file really is quoted-printable
    mail = read_mail(path)
    assert mail.to == ("ann@acme.test",)
    assert mail.subject == "Your acme code"
    assert mail.code == "123456"
    assert mail.link == LONG_LINK
    assert mail.token == "hq6_1wJM0VPDqBwj2-RdmOghf84Db9cxe1GD7eIzCs4"
    assert mail.html is not None and "123456" in mail.html
    assert "=\n" not in mail.text


def test_the_newest_mail_to_the_address_wins(tmp_path: Path) -> None:
    now = time.time()
    write_mail(tmp_path, "old", "ann@acme.test", "code 111111", mtime=now - 20)
    newest_ann = write_mail(tmp_path, "new", "ann@acme.test", "code 222222", mtime=now - 10)
    write_mail(tmp_path, "bob", "bob@acme.test", "code 333333", mtime=now)
    mail = latest_mail(tmp_path, "ANN@acme.test", timeout=0)
    assert (mail.path, mail.code) == (newest_ann, "222222")
    assert latest_mail(tmp_path, "bob@acme.test", timeout=0).code == "333333"
    with pytest.raises(LookupError):
        write_mail(tmp_path, "none", "cat@acme.test", "no code here", mtime=now)
        latest_mail(tmp_path, "cat@acme.test", timeout=0).code_or_raise()


def test_newer_than_waits_for_a_later_mail(tmp_path: Path) -> None:
    first = read_mail(write_mail(tmp_path, "first", "ann@acme.test", "code 111111", mtime=time.time() - 5))
    later = threading.Timer(0.3, lambda: write_mail(tmp_path, "second", "ann@acme.test", "code 222222"))
    later.start()
    try:
        mail = latest_mail(tmp_path, "ann@acme.test", timeout=5, newer_than=first)
    finally:
        later.join()
    assert mail.code == "222222"


def test_a_half_written_file_is_not_read_yet(tmp_path: Path) -> None:
    whole = write_mail(tmp_path, "whole", "ann@acme.test", "code 654321").read_bytes()
    cut = tmp_path / "whole.eml"
    cut.write_bytes(whole[: whole.index(b"654321")])  # cut before the code: no closing boundary
    later = threading.Timer(0.3, lambda: cut.write_bytes(whole))
    later.start()
    try:
        mail = latest_mail(tmp_path, "ann@acme.test", timeout=5)
    finally:
        later.join()
    assert mail.code == "654321" and mail.html is not None


def test_no_mail_is_a_timeout(tmp_path: Path) -> None:
    with pytest.raises(TimeoutError):
        latest_mail(tmp_path / "absent", "ann@acme.test", timeout=0.2)
