from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.login_result_token_pair_view_result import LoginResultTokenPairViewResult
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.user_view import UserView


T = TypeVar("T", bound="LoginResultTokenPairView")


@_attrs_define
class LoginResultTokenPairView:
    """A token pair (`"result": "signed_in"`), or, with MFA on, a challenge for the second factor
    (`"result": "mfa_required"`).

        Attributes:
            access_token (str): A JWT signed with the tenant's key (EdDSA), for `Authorization: Bearer`.
            expires_in (int): Seconds until the access token expires.
            session_id (str):
            token_type (str): Always `Bearer`.
            user (UserView): A user as the API shows them.
            result (LoginResultTokenPairViewResult):  Example: signed_in.
            csrf_token (str | Unset): Cookie mode only: send it as `X-CSRF-Token` with cookie-authenticated refreshes.
            mfa_enrollment_required (bool | Unset): Present (`true`) when the tenant requires two-factor authentication and
                the user has
                not enrolled: the access token then reaches only `POST /me/mfa/totp`,
                `POST /me/mfa/totp/confirm` and `POST /auth/logout` (every other endpoint answers `403
                mfa_enrollment_required`). After confirming, refresh for an unrestricted token.
            refresh_token (str | Unset): Opaque, single use: exchange it at `/auth/token/refresh` for a new pair. Absent in
                cookie mode, where it travels in the `platform_refresh` HttpOnly cookie instead.
    """

    access_token: str
    expires_in: int
    session_id: str
    token_type: str
    user: UserView
    result: LoginResultTokenPairViewResult
    csrf_token: str | Unset = UNSET
    mfa_enrollment_required: bool | Unset = UNSET
    refresh_token: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        expires_in = self.expires_in

        session_id = self.session_id

        token_type = self.token_type

        user = self.user.to_dict()

        result = self.result.value

        csrf_token = self.csrf_token

        mfa_enrollment_required = self.mfa_enrollment_required

        refresh_token = self.refresh_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "expires_in": expires_in,
                "session_id": session_id,
                "token_type": token_type,
                "user": user,
                "result": result,
            }
        )
        if csrf_token is not UNSET:
            field_dict["csrf_token"] = csrf_token
        if mfa_enrollment_required is not UNSET:
            field_dict["mfa_enrollment_required"] = mfa_enrollment_required
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.user_view import UserView  # noqa: PLC0415

        d = dict(src_dict)
        access_token = d.pop("access_token")

        expires_in = d.pop("expires_in")

        session_id = d.pop("session_id")

        token_type = d.pop("token_type")

        user = UserView.from_dict(d.pop("user"))

        result = LoginResultTokenPairViewResult(d.pop("result"))

        csrf_token = d.pop("csrf_token", UNSET)

        mfa_enrollment_required = d.pop("mfa_enrollment_required", UNSET)

        refresh_token = d.pop("refresh_token", UNSET)

        login_result_token_pair_view = cls(
            access_token=access_token,
            expires_in=expires_in,
            session_id=session_id,
            token_type=token_type,
            user=user,
            result=result,
            csrf_token=csrf_token,
            mfa_enrollment_required=mfa_enrollment_required,
            refresh_token=refresh_token,
        )

        login_result_token_pair_view.additional_properties = d
        return login_result_token_pair_view

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
