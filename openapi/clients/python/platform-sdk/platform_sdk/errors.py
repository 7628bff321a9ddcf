# The SDK's one error type: every failed call (an HTTP problem or a network failure) raises PlatformError.
"""Errors: one exception type, :class:`PlatformError`, for every way a call can fail.

An HTTP error answer (an RFC 9457 ``application/problem+json`` body) becomes a
``PlatformError`` carrying its ``status``, stable ``code``, ``detail``, ``request_id`` and, on a
``400`` validation failure, the per-field ``errors``. A network failure (the server could not be
reached, a timeout, a broken connection) raises the same type with ``status == 0`` and
``code == "network_error"``; an answer that cannot be read has ``code == "invalid_response"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from platform_client.models import Problem

NETWORK_ERROR = "network_error"
"""``code`` of a request that got no HTTP answer (connection refused, timeout, reset...)."""
INVALID_RESPONSE = "invalid_response"
"""``code`` of an answer that is not what the API documents (not JSON, missing fields...)."""


@dataclass(frozen=True)
class FieldError:
    """One validation failure of a request body (a member of a problem's ``errors``)."""

    field: str
    """A JSON pointer into the request body, e.g. ``"/password"``."""
    code: str
    message: str


class PlatformError(Exception):
    """A failed platform call: an HTTP problem answer, or ``status == 0`` when none came.

    ``code`` is the platform's stable machine-readable code (the spec's ``ErrorCode`` values,
    e.g. ``"invalid_credentials"``), ``"network_error"`` or ``"invalid_response"``.
    """

    status: int
    code: str
    detail: str
    request_id: str | None
    errors: tuple[FieldError, ...]

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        request_id: str | None = None,
        errors: tuple[FieldError, ...] = (),
    ) -> None:
        super().__init__(status, code, detail, request_id, errors)
        self.status = status
        self.code = code
        self.detail = detail
        self.request_id = request_id
        self.errors = errors

    def __str__(self) -> str:
        where = f" (request {self.request_id})" if self.request_id else ""
        fields = "".join(f"; {e.field}: {e.message}" for e in self.errors)
        return f"{self.status} {self.code}: {self.detail}{fields}{where}"

    def __repr__(self) -> str:
        return (
            f"PlatformError(status={self.status!r}, code={self.code!r}, detail={self.detail!r}, "
            f"request_id={self.request_id!r}, errors={self.errors!r})"
        )

    @property
    def is_network_error(self) -> bool:
        """True when no HTTP answer came (``status == 0``)."""
        return self.status == 0

    def field_error(self, field: str) -> FieldError | None:
        """The validation failure of one field (a JSON pointer such as ``"/password"``), if any."""
        return next((e for e in self.errors if e.field == field), None)

    @classmethod
    def network(cls, error: httpx.RequestError) -> PlatformError:
        """The error of a request that got no usable HTTP answer."""
        what = type(error).__name__
        return cls(0, NETWORK_ERROR, f"{what}: {error}" if str(error) else what)

    @classmethod
    def from_problem(cls, problem: Problem, status: int | None = None) -> PlatformError:
        """The error of a typed problem body (the generated ``Problem`` model)."""
        return cls.from_body(problem.to_dict(), status if status is not None else problem.status)

    @classmethod
    def from_body(cls, body: Mapping[str, Any], status: int) -> PlatformError:
        """The error of a problem document given as a mapping (tolerant of missing members)."""
        code = body.get("code")
        detail = body.get("detail") or body.get("title")
        request_id = body.get("request_id")
        return cls(
            status,
            str(code) if code else f"http_{status}",
            str(detail) if detail else f"HTTP {status}",
            str(request_id) if request_id else None,
            _field_errors(body.get("errors")),
        )

    @classmethod
    def from_response(cls, status: int, content: bytes, headers: Mapping[str, str] | None = None) -> PlatformError:
        """The error of an answer the generated client did not parse (an undocumented status)."""
        request_id = (headers or {}).get("x-request-id")
        try:
            body = json.loads(content)
        except ValueError:
            body = None
        if isinstance(body, dict):
            error = cls.from_body(body, status)
            if error.request_id is None and request_id:
                return cls(error.status, error.code, error.detail, request_id, error.errors)
            return error
        text = content[:200].decode("utf-8", "replace").strip()
        return cls(status, f"http_{status}", text or f"HTTP {status}", request_id)


def _field_errors(raw: object) -> tuple[FieldError, ...]:
    if not isinstance(raw, list):
        return ()
    out: list[FieldError] = []
    for item in raw:
        if isinstance(item, Mapping):
            out.append(
                FieldError(
                    field=str(item.get("field", "")),
                    code=str(item.get("code", "")),
                    message=str(item.get("message", "")),
                )
            )
    return tuple(out)
