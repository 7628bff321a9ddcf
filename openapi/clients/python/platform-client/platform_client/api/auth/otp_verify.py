from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.email_code_request import EmailCodeRequest
from ...models.login_result_mfa_challenge_view import LoginResultMfaChallengeView
from ...models.login_result_token_pair_view import LoginResultTokenPairView
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    tenant: str,
    *,
    body: EmailCodeRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tenants/{tenant}/auth/otp/verify".format(
            tenant=quote(str(tenant), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LoginResultMfaChallengeView | LoginResultTokenPairView | Problem | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> LoginResultMfaChallengeView | LoginResultTokenPairView:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_login_result_type_0 = LoginResultTokenPairView.from_dict(data)

                return componentsschemas_login_result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_login_result_type_1 = LoginResultMfaChallengeView.from_dict(data)

            return componentsschemas_login_result_type_1

        response_200 = _parse_response_200(response.json())

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
) -> Response[LoginResultMfaChallengeView | LoginResultTokenPairView | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant: str,
    *,
    client: AuthenticatedClient | Client,
    body: EmailCodeRequest,
) -> Response[LoginResultMfaChallengeView | LoginResultTokenPairView | Problem]:
    """Signs in with an emailed one-time login code (with MFA on: a challenge, as for login).

    Args:
        tenant (str):
        body (EmailCodeRequest): An email address and the 6-digit code emailed to it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LoginResultMfaChallengeView | LoginResultTokenPairView | Problem]
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
    client: AuthenticatedClient | Client,
    body: EmailCodeRequest,
) -> LoginResultMfaChallengeView | LoginResultTokenPairView | Problem | None:
    """Signs in with an emailed one-time login code (with MFA on: a challenge, as for login).

    Args:
        tenant (str):
        body (EmailCodeRequest): An email address and the 6-digit code emailed to it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LoginResultMfaChallengeView | LoginResultTokenPairView | Problem
    """

    return sync_detailed(
        tenant=tenant,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    tenant: str,
    *,
    client: AuthenticatedClient | Client,
    body: EmailCodeRequest,
) -> Response[LoginResultMfaChallengeView | LoginResultTokenPairView | Problem]:
    """Signs in with an emailed one-time login code (with MFA on: a challenge, as for login).

    Args:
        tenant (str):
        body (EmailCodeRequest): An email address and the 6-digit code emailed to it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LoginResultMfaChallengeView | LoginResultTokenPairView | Problem]
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
    client: AuthenticatedClient | Client,
    body: EmailCodeRequest,
) -> LoginResultMfaChallengeView | LoginResultTokenPairView | Problem | None:
    """Signs in with an emailed one-time login code (with MFA on: a challenge, as for login).

    Args:
        tenant (str):
        body (EmailCodeRequest): An email address and the 6-digit code emailed to it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LoginResultMfaChallengeView | LoginResultTokenPairView | Problem
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            client=client,
            body=body,
        )
    ).parsed
