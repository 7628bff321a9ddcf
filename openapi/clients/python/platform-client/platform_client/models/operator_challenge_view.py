from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OperatorChallengeView")


@_attrs_define
class OperatorChallengeView:
    """The password was right: complete with a TOTP code at `POST /v1/admin/auth/login/mfa`.

    Attributes:
        expires_in (int):
        methods (list[str]): Always `["totp"]`.
        mfa_required (bool): Always `true`: operators always use a second factor.
        mfa_token (str):
    """

    expires_in: int
    methods: list[str]
    mfa_required: bool
    mfa_token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_in = self.expires_in

        methods = self.methods

        mfa_required = self.mfa_required

        mfa_token = self.mfa_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_in": expires_in,
                "methods": methods,
                "mfa_required": mfa_required,
                "mfa_token": mfa_token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_in = d.pop("expires_in")

        methods = cast(list[str], d.pop("methods"))

        mfa_required = d.pop("mfa_required")

        mfa_token = d.pop("mfa_token")

        operator_challenge_view = cls(
            expires_in=expires_in,
            methods=methods,
            mfa_required=mfa_required,
            mfa_token=mfa_token,
        )

        operator_challenge_view.additional_properties = d
        return operator_challenge_view

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
