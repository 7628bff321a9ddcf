from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantCreate")


@_attrs_define
class TenantCreate:
    """A new tenant.

    Attributes:
        slug (str): `[a-z0-9][a-z0-9-]{1,38}[a-z0-9]`, not a reserved word.
        name (str | Unset):
        owner_email (str | Unset): Emails this address an invitation to become the owner.
        reason (str | Unset): Why, for the audit logs.
    """

    slug: str
    name: str | Unset = UNSET
    owner_email: str | Unset = UNSET
    reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        slug = self.slug

        name = self.name

        owner_email = self.owner_email

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "slug": slug,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if owner_email is not UNSET:
            field_dict["owner_email"] = owner_email
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        slug = d.pop("slug")

        name = d.pop("name", UNSET)

        owner_email = d.pop("owner_email", UNSET)

        reason = d.pop("reason", UNSET)

        tenant_create = cls(
            slug=slug,
            name=name,
            owner_email=owner_email,
            reason=reason,
        )

        tenant_create.additional_properties = d
        return tenant_create

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
