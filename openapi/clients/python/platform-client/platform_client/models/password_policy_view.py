from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PasswordPolicyView")


@_attrs_define
class PasswordPolicyView:
    """What a new password must be.

    Attributes:
        min_length (int): Fewest characters, 8 to 128 (default 8).
        refuse_common (bool): Refuse the ~30,000 most common passwords (up to case and letter substitutions) and
            passwords made from the email address (default on).
    """

    min_length: int
    refuse_common: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        min_length = self.min_length

        refuse_common = self.refuse_common

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "min_length": min_length,
                "refuse_common": refuse_common,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        min_length = d.pop("min_length")

        refuse_common = d.pop("refuse_common")

        password_policy_view = cls(
            min_length=min_length,
            refuse_common=refuse_common,
        )

        password_policy_view.additional_properties = d
        return password_policy_view

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
