from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_status import UserStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserView")


@_attrs_define
class UserView:
    """A user as the API shows them.

    Attributes:
        created_at (datetime.datetime):
        email (str):
        email_verified (bool):
        has_password (bool): Whether the account has a password. `false` for an account whose email verification
            set none (see `email_verify`): `POST /me/password` sets one.
        id (str): The user's id (also the token's `sub`).
        mfa_enabled (bool):
        role (str): `owner`, `admin`, `member`, `viewer` or `guest`.
        status (UserStatus): Where an account is in its life: `pending` (email not verified), `active` or `disabled`.
        tenant_id (str): The tenant the user belongs to (also the token's `tenant_id`).
        name (str | Unset): Display name, when set.
    """

    created_at: datetime.datetime
    email: str
    email_verified: bool
    has_password: bool
    id: str
    mfa_enabled: bool
    role: str
    status: UserStatus
    tenant_id: str
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        email = self.email

        email_verified = self.email_verified

        has_password = self.has_password

        id = self.id

        mfa_enabled = self.mfa_enabled

        role = self.role

        status = self.status.value

        tenant_id = self.tenant_id

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "email": email,
                "email_verified": email_verified,
                "has_password": has_password,
                "id": id,
                "mfa_enabled": mfa_enabled,
                "role": role,
                "status": status,
                "tenant_id": tenant_id,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        email = d.pop("email")

        email_verified = d.pop("email_verified")

        has_password = d.pop("has_password")

        id = d.pop("id")

        mfa_enabled = d.pop("mfa_enabled")

        role = d.pop("role")

        status = UserStatus(d.pop("status"))

        tenant_id = d.pop("tenant_id")

        name = d.pop("name", UNSET)

        user_view = cls(
            created_at=created_at,
            email=email,
            email_verified=email_verified,
            has_password=has_password,
            id=id,
            mfa_enabled=mfa_enabled,
            role=role,
            status=status,
            tenant_id=tenant_id,
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
