from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SessionView")


@_attrs_define
class SessionView:
    """One of the user's sessions.

    Attributes:
        id (str):
        created_at (datetime.datetime):
        last_seen_at (datetime.datetime):
        expires_at (datetime.datetime):
        amr (list[str]): How the session was authenticated, e.g. `["pwd"]`.
        current (bool): Whether this is the session of the token making the request.
        ip (str | Unset):
        user_agent (str | Unset):
    """

    id: str
    created_at: datetime.datetime
    last_seen_at: datetime.datetime
    expires_at: datetime.datetime
    amr: list[str]
    current: bool
    ip: str | Unset = UNSET
    user_agent: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created_at = self.created_at.isoformat()

        last_seen_at = self.last_seen_at.isoformat()

        expires_at = self.expires_at.isoformat()

        amr = self.amr

        current = self.current

        ip = self.ip

        user_agent = self.user_agent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "last_seen_at": last_seen_at,
                "expires_at": expires_at,
                "amr": amr,
                "current": current,
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
        id = d.pop("id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        last_seen_at = datetime.datetime.fromisoformat(d.pop("last_seen_at"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        amr = cast(list[str], d.pop("amr"))

        current = d.pop("current")

        ip = d.pop("ip", UNSET)

        user_agent = d.pop("user_agent", UNSET)

        session_view = cls(
            id=id,
            created_at=created_at,
            last_seen_at=last_seen_at,
            expires_at=expires_at,
            amr=amr,
            current=current,
            ip=ip,
            user_agent=user_agent,
        )

        session_view.additional_properties = d
        return session_view

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
