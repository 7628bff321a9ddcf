from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TotpEnrolmentView")


@_attrs_define
class TotpEnrolmentView:
    """Enrolment has started: add the account to an authenticator app, then confirm with a code.

    Attributes:
        otpauth_url (str): `otpauth://totp/…` naming the tenant as issuer and the user's email as account.
        qr_png (str): A PNG QR code of `otpauth_url`, base64-encoded (no `data:` prefix).
        secret (str): The shared secret in base32 (160 bits), for typing in by hand.
    """

    otpauth_url: str
    qr_png: str
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        otpauth_url = self.otpauth_url

        qr_png = self.qr_png

        secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "otpauth_url": otpauth_url,
                "qr_png": qr_png,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        otpauth_url = d.pop("otpauth_url")

        qr_png = d.pop("qr_png")

        secret = d.pop("secret")

        totp_enrolment_view = cls(
            otpauth_url=otpauth_url,
            qr_png=qr_png,
            secret=secret,
        )

        totp_enrolment_view.additional_properties = d
        return totp_enrolment_view

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
