from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.backup_codes_view import BackupCodesView
from ...models.problem import Problem
from ...models.totp_code_reauth_request import TotpCodeReauthRequest
from ...types import Response


def _get_kwargs(
    tenant: str,
    *,
    body: TotpCodeReauthRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tenants/{tenant}/me/mfa/backup-codes".format(
            tenant=quote(str(tenant), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BackupCodesView | Problem | None:
    if response.status_code == 200:
        response_200 = BackupCodesView.from_dict(response.json())

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
) -> Response[BackupCodesView | Problem]:
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
    body: TotpCodeReauthRequest,
) -> Response[BackupCodesView | Problem]:
    """Replaces the backup codes; the old ones stop working at once. Needs a current TOTP
    `code`, and a sign-in within the last 5 minutes or `current_password` (`403
    reauthentication_required`).

    Args:
        tenant (str):
        body (TotpCodeReauthRequest): A 6-digit code from the authenticator app, and the current
            password when the sign-in is
            older than 5 minutes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BackupCodesView | Problem]
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
    body: TotpCodeReauthRequest,
) -> BackupCodesView | Problem | None:
    """Replaces the backup codes; the old ones stop working at once. Needs a current TOTP
    `code`, and a sign-in within the last 5 minutes or `current_password` (`403
    reauthentication_required`).

    Args:
        tenant (str):
        body (TotpCodeReauthRequest): A 6-digit code from the authenticator app, and the current
            password when the sign-in is
            older than 5 minutes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BackupCodesView | Problem
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
    body: TotpCodeReauthRequest,
) -> Response[BackupCodesView | Problem]:
    """Replaces the backup codes; the old ones stop working at once. Needs a current TOTP
    `code`, and a sign-in within the last 5 minutes or `current_password` (`403
    reauthentication_required`).

    Args:
        tenant (str):
        body (TotpCodeReauthRequest): A 6-digit code from the authenticator app, and the current
            password when the sign-in is
            older than 5 minutes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BackupCodesView | Problem]
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
    body: TotpCodeReauthRequest,
) -> BackupCodesView | Problem | None:
    """Replaces the backup codes; the old ones stop working at once. Needs a current TOTP
    `code`, and a sign-in within the last 5 minutes or `current_password` (`403
    reauthentication_required`).

    Args:
        tenant (str):
        body (TotpCodeReauthRequest): A 6-digit code from the authenticator app, and the current
            password when the sign-in is
            older than 5 minutes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BackupCodesView | Problem
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            client=client,
            body=body,
        )
    ).parsed
