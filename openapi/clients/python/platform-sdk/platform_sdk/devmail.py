# Development helper: the newest mail to an address in the mail directory (.eml), decoded, with its code and link.
"""Read the platform's outgoing mail in development and tests.

Without SMTP configured, the platform writes each message as an ``.eml`` file into its mail
directory (``$PLATFORM_MAIL_DIR``, by default ``$PLATFORM_DATA_DIR/mail``). :func:`latest_mail`
waits for the newest message to an address and decodes it with the standard library's
``email`` package (MIME parts, quoted-printable, charsets), giving its plain text, the 6-digit
code it carries and the first link with the ``token`` in it::

    mail = latest_mail(mail_dir, "ann@example.com")
    client.verify_email("ann@example.com", mail.code_or_raise())

Not for production: it reads local files.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import time
from dataclasses import dataclass
from email.errors import CloseBoundaryNotFoundDefect
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

_CODE = re.compile(r"(?<![\d])(\d{6})(?![\d])")
_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True, kw_only=True)
class DevMail:
    """One decoded message."""

    path: Path
    mtime_ns: int
    to: tuple[str, ...]
    subject: str
    text: str
    """The plain-text body, decoded."""
    html: str | None
    code: str | None
    """The first 6-digit number standing alone in the text (a verification or sign-in code)."""
    link: str | None
    """The first http(s) link in the text."""
    token: str | None
    """The ``token`` query parameter of the first link that has one (reset, invitation...)."""

    def code_or_raise(self) -> str:
        """The code, or ``LookupError`` when this mail has none."""
        if self.code is None:
            raise LookupError(f"no 6-digit code in the mail {self.path.name} ({self.subject!r})")
        return self.code

    def token_or_raise(self) -> str:
        """The link's token, or ``LookupError`` when this mail has none."""
        if self.token is None:
            raise LookupError(f"no link with a token in the mail {self.path.name} ({self.subject!r})")
        return self.token


def read_mail(path: str | os.PathLike[str]) -> DevMail:
    """Decodes one ``.eml`` file."""
    return _read(Path(path))[0]


def _read(file: Path) -> tuple[DevMail, bool]:
    with file.open("rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    to = tuple(addr for _, addr in getaddresses([str(v) for v in message.get_all("To", [])]) if addr)
    text = _body(message, "plain") or ""
    html = _body(message, "html")
    code_match = _CODE.search(text)
    links = _LINK.findall(text)
    token = None
    for link in links:
        values = parse_qs(urlsplit(link).query).get("token")
        if values:
            token = values[0]
            break
    complete = not any(isinstance(d, CloseBoundaryNotFoundDefect) for part in message.walk() for d in part.defects)
    mail = DevMail(
        path=file,
        mtime_ns=file.stat().st_mtime_ns,
        to=to,
        subject=str(message.get("Subject", "")),
        text=text,
        html=html,
        code=code_match.group(1) if code_match else None,
        link=links[0] if links else None,
        token=token,
    )
    return mail, complete


def latest_mail(
    mail_dir: str | os.PathLike[str],
    to: str,
    *,
    timeout: float = 10.0,
    newer_than: DevMail | None = None,
) -> DevMail:
    """The newest message to ``to`` in ``mail_dir``, waiting up to ``timeout`` seconds for one
    (mail is sent in the background). With ``newer_than``, only a message that came after that
    one counts. Raises ``TimeoutError`` when none comes."""
    folder = Path(mail_dir)
    wanted = to.strip().lower()
    deadline = time.monotonic() + timeout
    while True:
        found = _newest(folder, wanted, newer_than)
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no mail to {to} in {folder} within {timeout:g} s")
        time.sleep(0.05)


def latest_code(mail_dir: str | os.PathLike[str], to: str, *, timeout: float = 10.0) -> str:
    """The 6-digit code of the newest mail to ``to``."""
    return latest_mail(mail_dir, to, timeout=timeout).code_or_raise()


def _newest(folder: Path, to: str, newer_than: DevMail | None) -> DevMail | None:
    candidates: list[tuple[int, str, Path]] = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return None
    for entry in entries:
        if not entry.name.endswith(".eml") or not entry.is_file():
            continue
        mtime = entry.stat().st_mtime_ns
        if newer_than is not None and (mtime < newer_than.mtime_ns or Path(entry.path) == newer_than.path):
            continue
        candidates.append((mtime, entry.name, Path(entry.path)))
    for mtime, _, path in sorted(candidates, reverse=True):
        try:
            mail, complete = _read(path)
        except (FileNotFoundError, UnicodeDecodeError):
            continue
        if to in (addr.lower() for addr in mail.to):
            # A file still being written parses as a multipart without its closing boundary:
            # wait for the rest (unless it has not changed for a while: then it is just broken).
            if not complete and time.time_ns() - mtime < 2_000_000_000:
                return None
            return mail
    return None


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None
