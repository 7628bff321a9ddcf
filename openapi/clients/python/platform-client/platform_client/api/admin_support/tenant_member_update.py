from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.support_member_patch import SupportMemberPatch
from ...models.user_view import UserView
from ...types import Response


def _get_kwargs(
    tenant: str,
    user_id: str,
    *,
    body: SupportMemberPatch,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/admin/tenants/{tenant}/members/{user_id}".format(
            tenant=quote(str(tenant), safe=""),
            user_id=quote(str(user_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | UserView | None:
    if response.status_code == 200:
        response_200 = UserView.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | UserView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant: str,
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: SupportMemberPatch,
) -> Response[Problem | UserView]:
    """Support actions on a member: role and status (`admin` operators), MFA reset and forced
    password reset (`support`), applied in that order after every input is checked. The last
    owner cannot be demoted or disabled.

    Args:
        tenant (str):
        user_id (str):
        body (SupportMemberPatch): Support actions on one member; each field is optional, and
            several may be sent at once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UserView]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        user_id=user_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant: str,
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: SupportMemberPatch,
) -> Problem | UserView | None:
    """Support actions on a member: role and status (`admin` operators), MFA reset and forced
    password reset (`support`), applied in that order after every input is checked. The last
    owner cannot be demoted or disabled.

    Args:
        tenant (str):
        user_id (str):
        body (SupportMemberPatch): Support actions on one member; each field is optional, and
            several may be sent at once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UserView
    """

    return sync_detailed(
        tenant=tenant,
        user_id=user_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    tenant: str,
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: SupportMemberPatch,
) -> Response[Problem | UserView]:
    """Support actions on a member: role and status (`admin` operators), MFA reset and forced
    password reset (`support`), applied in that order after every input is checked. The last
    owner cannot be demoted or disabled.

    Args:
        tenant (str):
        user_id (str):
        body (SupportMemberPatch): Support actions on one member; each field is optional, and
            several may be sent at once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UserView]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        user_id=user_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant: str,
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: SupportMemberPatch,
) -> Problem | UserView | None:
    """Support actions on a member: role and status (`admin` operators), MFA reset and forced
    password reset (`support`), applied in that order after every input is checked. The last
    owner cannot be demoted or disabled.

    Args:
        tenant (str):
        user_id (str):
        body (SupportMemberPatch): Support actions on one member; each field is optional, and
            several may be sent at once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UserView
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            user_id=user_id,
            client=client,
            body=body,
        )
    ).parsed
