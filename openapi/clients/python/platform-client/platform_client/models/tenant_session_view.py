from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantSessionView")


@_attrs_define
class TenantSessionView:
    """A session of some member of the tenant.

    Attributes:
        amr (list[str]): How the session was authenticated, e.g. `["pwd","totp","mfa"]`.
        created_at (datetime.datetime):
        expires_at (datetime.datetime):
        id (str):
        last_seen_at (datetime.datetime):
        user_id (str):
        ip (str | Unset):
        user_agent (str | Unset):
    """

    amr: list[str]
    created_at: datetime.datetime
    expires_at: datetime.datetime
    id: str
    last_seen_at: datetime.datetime
    user_id: str
    ip: str | Unset = UNSET
    user_agent: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amr = self.amr

        created_at = self.created_at.isoformat()

        expires_at = self.expires_at.isoformat()

        id = self.id

        last_seen_at = self.last_seen_at.isoformat()

        user_id = self.user_id

        ip = self.ip

        user_agent = self.user_agent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amr": amr,
                "created_at": created_at,
                "expires_at": expires_at,
                "id": id,
                "last_seen_at": last_seen_at,
                "user_id": user_id,
            }
        )
        if ip is not UNSET:
            field_dict["ip"] = ip
        if user_agent is not UNSET:
            field_dict["user_agent"] = user_agent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amr = cast(list[str], d.pop("amr"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = d.pop("id")

        last_seen_at = datetime.datetime.fromisoformat(d.pop("last_seen_at"))

        user_id = d.pop("user_id")

        ip = d.pop("ip", UNSET)

        user_agent = d.pop("user_agent", UNSET)

        tenant_session_view = cls(
            amr=amr,
            created_at=created_at,
            expires_at=expires_at,
            id=id,
            last_seen_at=last_seen_at,
            user_id=user_id,
            ip=ip,
            user_agent=user_agent,
        )

        tenant_session_view.additional_properties = d
        return tenant_session_view

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
