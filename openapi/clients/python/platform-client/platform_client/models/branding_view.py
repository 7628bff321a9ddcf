from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BrandingView")


@_attrs_define
class BrandingView:
    """Email branding; unset fields keep the defaults (the tenant's name, the platform's sender).

    Attributes:
        logo_url (str | Unset): An `https://` URL of a logo.
        name (str | Unset): Shown in headers, subjects and footers (1 to 100 characters).
        primary_color (str | Unset): `#rgb` or `#rrggbb`.
        sender_address (str | Unset): The `From` address.
        sender_name (str | Unset): The `From` display name.
        text_color (str | Unset): Text on `primary_color`, `#rgb` or `#rrggbb`.
    """

    logo_url: str | Unset = UNSET
    name: str | Unset = UNSET
    primary_color: str | Unset = UNSET
    sender_address: str | Unset = UNSET
    sender_name: str | Unset = UNSET
    text_color: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        logo_url = self.logo_url

        name = self.name

        primary_color = self.primary_color

        sender_address = self.sender_address

        sender_name = self.sender_name

        text_color = self.text_color

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if logo_url is not UNSET:
            field_dict["logo_url"] = logo_url
        if name is not UNSET:
            field_dict["name"] = name
        if primary_color is not UNSET:
            field_dict["primary_color"] = primary_color
        if sender_address is not UNSET:
            field_dict["sender_address"] = sender_address
        if sender_name is not UNSET:
            field_dict["sender_name"] = sender_name
        if text_color is not UNSET:
            field_dict["text_color"] = text_color

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        logo_url = d.pop("logo_url", UNSET)

        name = d.pop("name", UNSET)

        primary_color = d.pop("primary_color", UNSET)

        sender_address = d.pop("sender_address", UNSET)

        sender_name = d.pop("sender_name", UNSET)

        text_color = d.pop("text_color", UNSET)

        branding_view = cls(
            logo_url=logo_url,
            name=name,
            primary_color=primary_color,
            sender_address=sender_address,
            sender_name=sender_name,
            text_color=text_color,
        )

        branding_view.additional_properties = d
        return branding_view

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
