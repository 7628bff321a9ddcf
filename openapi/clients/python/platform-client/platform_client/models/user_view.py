from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UserView")


@_attrs_define
class UserView:
    """A user as the API shows them.

    Attributes:
        id (str): The user's id (also the token's `sub`).
        email (str):
        tenant_id (str): The tenant the user belongs to (also the token's `tenant_id`).
        role (str): `owner`, `admin`, `member`, `viewer` or `guest`.
        status (str): `pending` (email not verified), `active` or `disabled`.
        mfa_enabled (bool):
        email_verified (bool):
        has_password (bool): Whether the account has a password. `false` for an account whose email verification
            set none (see `email_verify`): `POST /me/password` sets one.
        created_at (datetime.datetime):
        name (str | Unset): Display name, when set.
    """

    id: str
    email: str
    tenant_id: str
    role: str
    status: str
    mfa_enabled: bool
    email_verified: bool
    has_password: bool
    created_at: datetime.datetime
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        tenant_id = self.tenant_id

        role = self.role

        status = self.status

        mfa_enabled = self.mfa_enabled

        email_verified = self.email_verified

        has_password = self.has_password

        created_at = self.created_at.isoformat()

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "tenant_id": tenant_id,
                "role": role,
                "status": status,
                "mfa_enabled": mfa_enabled,
                "email_verified": email_verified,
                "has_password": has_password,
                "created_at": created_at,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        tenant_id = d.pop("tenant_id")

        role = d.pop("role")

        status = d.pop("status")

        mfa_enabled = d.pop("mfa_enabled")

        email_verified = d.pop("email_verified")

        has_password = d.pop("has_password")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        name = d.pop("name", UNSET)

        user_view = cls(
            id=id,
            email=email,
            tenant_id=tenant_id,
            role=role,
            status=status,
            mfa_enabled=mfa_enabled,
            email_verified=email_verified,
            has_password=has_password,
            created_at=created_at,
            name=name,
        )

        user_view.additional_properties = d
        return user_view

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
