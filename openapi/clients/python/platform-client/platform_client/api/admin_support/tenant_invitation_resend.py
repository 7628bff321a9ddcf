from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.invitation_view import InvitationView
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant: str,
    invitation_id: str,
    *,
    reason: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["reason"] = reason

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/admin/tenants/{tenant}/invitations/{invitation_id}/resend".format(
            tenant=quote(str(tenant), safe=""),
            invitation_id=quote(str(invitation_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> InvitationView | Problem | None:
    if response.status_code == 200:
        response_200 = InvitationView.from_dict(response.json())

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
) -> Response[InvitationView | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant: str,
    invitation_id: str,
    *,
    client: AuthenticatedClient,
    reason: str | Unset = UNSET,
) -> Response[InvitationView | Problem]:
    """Sends an invitation again with a new link and a new 7-day life (`support`).

    Args:
        tenant (str):
        invitation_id (str):
        reason (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InvitationView | Problem]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        invitation_id=invitation_id,
        reason=reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant: str,
    invitation_id: str,
    *,
    client: AuthenticatedClient,
    reason: str | Unset = UNSET,
) -> InvitationView | Problem | None:
    """Sends an invitation again with a new link and a new 7-day life (`support`).

    Args:
        tenant (str):
        invitation_id (str):
        reason (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InvitationView | Problem
    """

    return sync_detailed(
        tenant=tenant,
        invitation_id=invitation_id,
        client=client,
        reason=reason,
    ).parsed


async def asyncio_detailed(
    tenant: str,
    invitation_id: str,
    *,
    client: AuthenticatedClient,
    reason: str | Unset = UNSET,
) -> Response[InvitationView | Problem]:
    """Sends an invitation again with a new link and a new 7-day life (`support`).

    Args:
        tenant (str):
        invitation_id (str):
        reason (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InvitationView | Problem]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        invitation_id=invitation_id,
        reason=reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant: str,
    invitation_id: str,
    *,
    client: AuthenticatedClient,
    reason: str | Unset = UNSET,
) -> InvitationView | Problem | None:
    """Sends an invitation again with a new link and a new 7-day life (`support`).

    Args:
        tenant (str):
        invitation_id (str):
        reason (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InvitationView | Problem
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            invitation_id=invitation_id,
            client=client,
            reason=reason,
        )
    ).parsed
