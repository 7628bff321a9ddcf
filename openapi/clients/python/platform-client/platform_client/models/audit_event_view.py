from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditEventView")


@_attrs_define
class AuditEventView:
    """One audit event.

    Attributes:
        id (str):
        occurred_at (datetime.datetime):
        actor_type (str): `user`, `operator`, `system` or `anonymous`.
        action (str): A dotted name such as `auth.login`, `member.role_changed`, `invitation.created`.
        outcome (str): `success` or `failure`.
        seq (int | Unset): Position in the tenant's hash chain.
        actor_id (str | Unset):
        target_type (str | Unset):
        target_id (str | Unset):
        ip (str | Unset):
        user_agent (str | Unset):
        request_id (str | Unset):
        details (Any | Unset): Event-specific facts (never secrets).
        prev_hash (str | Unset): The previous event's hash (empty for the first event).
        hash_ (str | Unset): SHA-256 of this event's fields and `prev_hash`.
    """

    id: str
    occurred_at: datetime.datetime
    actor_type: str
    action: str
    outcome: str
    seq: int | Unset = UNSET
    actor_id: str | Unset = UNSET
    target_type: str | Unset = UNSET
    target_id: str | Unset = UNSET
    ip: str | Unset = UNSET
    user_agent: str | Unset = UNSET
    request_id: str | Unset = UNSET
    details: Any | Unset = UNSET
    prev_hash: str | Unset = UNSET
    hash_: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        occurred_at = self.occurred_at.isoformat()

        actor_type = self.actor_type

        action = self.action

        outcome = self.outcome

        seq = self.seq

        actor_id = self.actor_id

        target_type = self.target_type

        target_id = self.target_id

        ip = self.ip

        user_agent = self.user_agent

        request_id = self.request_id

        details = self.details

        prev_hash = self.prev_hash

        hash_ = self.hash_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "occurred_at": occurred_at,
                "actor_type": actor_type,
                "action": action,
                "outcome": outcome,
            }
        )
        if seq is not UNSET:
            field_dict["seq"] = seq
        if actor_id is not UNSET:
            field_dict["actor_id"] = actor_id
        if target_type is not UNSET:
            field_dict["target_type"] = target_type
        if target_id is not UNSET:
            field_dict["target_id"] = target_id
        if ip is not UNSET:
            field_dict["ip"] = ip
        if user_agent is not UNSET:
            field_dict["user_agent"] = user_agent
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if details is not UNSET:
            field_dict["details"] = details
        if prev_hash is not UNSET:
            field_dict["prev_hash"] = prev_hash
        if hash_ is not UNSET:
            field_dict["hash"] = hash_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        actor_type = d.pop("actor_type")

        action = d.pop("action")

        outcome = d.pop("outcome")

        seq = d.pop("seq", UNSET)

        actor_id = d.pop("actor_id", UNSET)

        target_type = d.pop("target_type", UNSET)

        target_id = d.pop("target_id", UNSET)

        ip = d.pop("ip", UNSET)

        user_agent = d.pop("user_agent", UNSET)

        request_id = d.pop("request_id", UNSET)

        details = d.pop("details", UNSET)

        prev_hash = d.pop("prev_hash", UNSET)

        hash_ = d.pop("hash", UNSET)

        audit_event_view = cls(
            id=id,
            occurred_at=occurred_at,
            actor_type=actor_type,
            action=action,
            outcome=outcome,
            seq=seq,
            actor_id=actor_id,
            target_type=target_type,
            target_id=target_id,
            ip=ip,
            user_agent=user_agent,
            request_id=request_id,
            details=details,
            prev_hash=prev_hash,
            hash_=hash_,
        )

        audit_event_view.additional_properties = d
        return audit_event_view

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
