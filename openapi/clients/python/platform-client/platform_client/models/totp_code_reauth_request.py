from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TotpCodeReauthRequest")


@_attrs_define
class TotpCodeReauthRequest:
    """A 6-digit code from the authenticator app, and the current password when the sign-in is
    older than 5 minutes.

        Attributes:
            code (str):
            current_password (str | Unset): Proves the caller again when the session signed in more than 5 minutes ago (else
                `403
                reauthentication_required`).
    """

    code: str
    current_password: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        current_password = self.current_password

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
            }
        )
        if current_password is not UNSET:
            field_dict["current_password"] = current_password

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        current_password = d.pop("current_password", UNSET)

        totp_code_reauth_request = cls(
            code=code,
            current_password=current_password,
        )

        totp_code_reauth_request.additional_properties = d
        return totp_code_reauth_request

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
