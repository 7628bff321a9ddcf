from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MfaChallengeView")


@_attrs_define
class MfaChallengeView:
    """The first factor was right and the account uses two-factor authentication: complete the
    login at `POST /auth/login/mfa` with the `mfa_token` and one of the `methods`.

        Attributes:
            mfa_required (bool): Always `true`.
            mfa_token (str): Opaque, single use, valid `expires_in` seconds and for 5 attempts.
            methods (list[str]): Second factors accepted: `totp`, `backup_code`, and `email_otp` when the tenant allows
                emailed codes (ask for one at `POST /auth/login/mfa/email`).
            expires_in (int):
    """

    mfa_required: bool
    mfa_token: str
    methods: list[str]
    expires_in: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mfa_required = self.mfa_required

        mfa_token = self.mfa_token

        methods = self.methods

        expires_in = self.expires_in

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mfa_required": mfa_required,
                "mfa_token": mfa_token,
                "methods": methods,
                "expires_in": expires_in,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        mfa_required = d.pop("mfa_required")

        mfa_token = d.pop("mfa_token")

        methods = cast(list[str], d.pop("methods"))

        expires_in = d.pop("expires_in")

        mfa_challenge_view = cls(
            mfa_required=mfa_required,
            mfa_token=mfa_token,
            methods=methods,
            expires_in=expires_in,
        )

        mfa_challenge_view.additional_properties = d
        return mfa_challenge_view

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
