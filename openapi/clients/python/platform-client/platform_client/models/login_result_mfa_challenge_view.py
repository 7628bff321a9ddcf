from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.login_result_mfa_challenge_view_result import LoginResultMfaChallengeViewResult
from ..models.mfa_method import MfaMethod

T = TypeVar("T", bound="LoginResultMfaChallengeView")


@_attrs_define
class LoginResultMfaChallengeView:
    """A token pair (`"result": "signed_in"`), or, with MFA on, a challenge for the second factor
    (`"result": "mfa_required"`).

        Attributes:
            expires_in (int):
            methods (list[MfaMethod]): Second factors accepted: `totp`, `backup_code`, and `email_otp` when the tenant
                allows
                emailed codes (ask for one at `POST /auth/login/mfa/email`).
            mfa_required (bool): Always `true`.
            mfa_token (str): Opaque, single use, valid `expires_in` seconds and for 5 attempts.
            result (LoginResultMfaChallengeViewResult):  Example: mfa_required.
    """

    expires_in: int
    methods: list[MfaMethod]
    mfa_required: bool
    mfa_token: str
    result: LoginResultMfaChallengeViewResult
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_in = self.expires_in

        methods = []
        for methods_item_data in self.methods:
            methods_item = methods_item_data.value
            methods.append(methods_item)

        mfa_required = self.mfa_required

        mfa_token = self.mfa_token

        result = self.result.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_in": expires_in,
                "methods": methods,
                "mfa_required": mfa_required,
                "mfa_token": mfa_token,
                "result": result,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_in = d.pop("expires_in")

        methods = []
        _methods = d.pop("methods")
        for methods_item_data in _methods:
            methods_item = MfaMethod(methods_item_data)

            methods.append(methods_item)

        mfa_required = d.pop("mfa_required")

        mfa_token = d.pop("mfa_token")

        result = LoginResultMfaChallengeViewResult(d.pop("result"))

        login_result_mfa_challenge_view = cls(
            expires_in=expires_in,
            methods=methods,
            mfa_required=mfa_required,
            mfa_token=mfa_token,
            result=result,
        )

        login_result_mfa_challenge_view.additional_properties = d
        return login_result_mfa_challenge_view

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
