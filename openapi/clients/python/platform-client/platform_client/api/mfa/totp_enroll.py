from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.reauth_request import ReauthRequest
from ...models.totp_enrolment_view import TotpEnrolmentView
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant: str,
    *,
    body: ReauthRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tenants/{tenant}/me/mfa/totp".format(
            tenant=quote(str(tenant), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TotpEnrolmentView | None:
    if response.status_code == 200:
        response_200 = TotpEnrolmentView.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | TotpEnrolmentView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant: str,
    *,
    client: AuthenticatedClient,
    body: ReauthRequest | Unset = UNSET,
) -> Response[Problem | TotpEnrolmentView]:
    """Starts TOTP enrolment: a new secret, its `otpauth://` URL and a PNG QR code. MFA is not
    on until `POST /me/mfa/totp/confirm` (`409 mfa_already_enabled` when it already is).
    Needs a sign-in within the last 5 minutes or `current_password` (`403
    reauthentication_required`), so that a stolen access token cannot enrol its holder's
    authenticator. Reachable with an enrolment-only token, which needs neither.

    Args:
        tenant (str):
        body (ReauthRequest | Unset): The current password, when the sign-in is older than 5
            minutes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TotpEnrolmentView]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant: str,
    *,
    client: AuthenticatedClient,
    body: ReauthRequest | Unset = UNSET,
) -> Problem | TotpEnrolmentView | None:
    """Starts TOTP enrolment: a new secret, its `otpauth://` URL and a PNG QR code. MFA is not
    on until `POST /me/mfa/totp/confirm` (`409 mfa_already_enabled` when it already is).
    Needs a sign-in within the last 5 minutes or `current_password` (`403
    reauthentication_required`), so that a stolen access token cannot enrol its holder's
    authenticator. Reachable with an enrolment-only token, which needs neither.

    Args:
        tenant (str):
        body (ReauthRequest | Unset): The current password, when the sign-in is older than 5
            minutes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TotpEnrolmentView
    """

    return sync_detailed(
        tenant=tenant,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    tenant: str,
    *,
    client: AuthenticatedClient,
    body: ReauthRequest | Unset = UNSET,
) -> Response[Problem | TotpEnrolmentView]:
    """Starts TOTP enrolment: a new secret, its `otpauth://` URL and a PNG QR code. MFA is not
    on until `POST /me/mfa/totp/confirm` (`409 mfa_already_enabled` when it already is).
    Needs a sign-in within the last 5 minutes or `current_password` (`403
    reauthentication_required`), so that a stolen access token cannot enrol its holder's
    authenticator. Reachable with an enrolment-only token, which needs neither.

    Args:
        tenant (str):
        body (ReauthRequest | Unset): The current password, when the sign-in is older than 5
            minutes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TotpEnrolmentView]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant: str,
    *,
    client: AuthenticatedClient,
    body: ReauthRequest | Unset = UNSET,
) -> Problem | TotpEnrolmentView | None:
    """Starts TOTP enrolment: a new secret, its `otpauth://` URL and a PNG QR code. MFA is not
    on until `POST /me/mfa/totp/confirm` (`409 mfa_already_enabled` when it already is).
    Needs a sign-in within the last 5 minutes or `current_password` (`403
    reauthentication_required`), so that a stolen access token cannot enrol its holder's
    authenticator. Reachable with an enrolment-only token, which needs neither.

    Args:
        tenant (str):
        body (ReauthRequest | Unset): The current password, when the sign-in is older than 5
            minutes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TotpEnrolmentView
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            client=client,
            body=body,
        )
    ).parsed
