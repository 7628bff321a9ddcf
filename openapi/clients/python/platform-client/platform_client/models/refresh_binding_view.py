from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RefreshBindingView")


@_attrs_define
class RefreshBindingView:
    """What refresh tokens are bound to (all off by default): a refresh from elsewhere is refused
    (and audited), and the token stays usable where it belongs.

        Attributes:
            ipv4_prefix (int | Unset): An IPv4 client must stay in the sign-in address's network of this prefix (8 to 32).
            ipv6_prefix (int | Unset): An IPv6 client must stay in the sign-in address's network of this prefix (16 to 128).
            user_agent (bool | Unset): The client's `User-Agent` must stay the one it signed in with. Default: False.
    """

    ipv4_prefix: int | Unset = UNSET
    ipv6_prefix: int | Unset = UNSET
    user_agent: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ipv4_prefix = self.ipv4_prefix

        ipv6_prefix = self.ipv6_prefix

        user_agent = self.user_agent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if ipv4_prefix is not UNSET:
            field_dict["ipv4_prefix"] = ipv4_prefix
        if ipv6_prefix is not UNSET:
            field_dict["ipv6_prefix"] = ipv6_prefix
        if user_agent is not UNSET:
            field_dict["user_agent"] = user_agent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ipv4_prefix = d.pop("ipv4_prefix", UNSET)

        ipv6_prefix = d.pop("ipv6_prefix", UNSET)

        user_agent = d.pop("user_agent", UNSET)

        refresh_binding_view = cls(
            ipv4_prefix=ipv4_prefix,
            ipv6_prefix=ipv6_prefix,
            user_agent=user_agent,
        )

        refresh_binding_view.additional_properties = d
        return refresh_binding_view

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
