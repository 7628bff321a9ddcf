from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MfaLoginRequest")


@_attrs_define
class MfaLoginRequest:
    """The challenge's `mfa_token` and exactly one second factor.

    Attributes:
        mfa_token (str): From the `mfa_required` answer of the login.
        backup_code (str | Unset): One of the backup codes (method `backup_code`); each works once.
        code (str | Unset): A 6-digit code from the authenticator app (method `totp`).
        email_code (str | Unset): The 6-digit code emailed by `POST /auth/login/mfa/email` (method `email_otp`).
    """

    mfa_token: str
    backup_code: str | Unset = UNSET
    code: str | Unset = UNSET
    email_code: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mfa_token = self.mfa_token

        backup_code = self.backup_code

        code = self.code

        email_code = self.email_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mfa_token": mfa_token,
            }
        )
        if backup_code is not UNSET:
            field_dict["backup_code"] = backup_code
        if code is not UNSET:
            field_dict["code"] = code
        if email_code is not UNSET:
            field_dict["email_code"] = email_code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        mfa_token = d.pop("mfa_token")

        backup_code = d.pop("backup_code", UNSET)

        code = d.pop("code", UNSET)

        email_code = d.pop("email_code", UNSET)

        mfa_login_request = cls(
            mfa_token=mfa_token,
            backup_code=backup_code,
            code=code,
            email_code=email_code,
        )

        mfa_login_request.additional_properties = d
        return mfa_login_request

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
