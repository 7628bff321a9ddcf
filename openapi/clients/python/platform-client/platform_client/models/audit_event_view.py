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
        action (str): A dotted name such as `auth.login`, `member.role_changed`, `invitation.created`.
        actor_type (str): `user`, `operator`, `system` or `anonymous`.
        id (str):
        occurred_at (datetime.datetime):
        outcome (str): `success` or `failure`.
        actor_id (str | Unset):
        details (Any | Unset): Event-specific facts (never secrets).
        hash_ (str | Unset): SHA-256 of this event's fields and `prev_hash`.
        ip (str | Unset):
        prev_hash (str | Unset): The previous event's hash (empty for the first event).
        request_id (str | Unset):
        seq (int | Unset): Position in the tenant's hash chain.
        target_id (str | Unset):
        target_type (str | Unset):
        user_agent (str | Unset):
    """

    action: str
    actor_type: str
    id: str
    occurred_at: datetime.datetime
    outcome: str
    actor_id: str | Unset = UNSET
    details: Any | Unset = UNSET
    hash_: str | Unset = UNSET
    ip: str | Unset = UNSET
    prev_hash: str | Unset = UNSET
    request_id: str | Unset = UNSET
    seq: int | Unset = UNSET
    target_id: str | Unset = UNSET
    target_type: str | Unset = UNSET
    user_agent: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        actor_type = self.actor_type

        id = self.id

        occurred_at = self.occurred_at.isoformat()

        outcome = self.outcome

        actor_id = self.actor_id

        details = self.details

        hash_ = self.hash_

        ip = self.ip

        prev_hash = self.prev_hash

        request_id = self.request_id

        seq = self.seq

        target_id = self.target_id

        target_type = self.target_type

        user_agent = self.user_agent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor_type": actor_type,
                "id": id,
                "occurred_at": occurred_at,
                "outcome": outcome,
            }
        )
        if actor_id is not UNSET:
            field_dict["actor_id"] = actor_id
        if details is not UNSET:
            field_dict["details"] = details
        if hash_ is not UNSET:
            field_dict["hash"] = hash_
        if ip is not UNSET:
            field_dict["ip"] = ip
        if prev_hash is not UNSET:
            field_dict["prev_hash"] = prev_hash
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if seq is not UNSET:
            field_dict["seq"] = seq
        if target_id is not UNSET:
            field_dict["target_id"] = target_id
        if target_type is not UNSET:
            field_dict["target_type"] = target_type
        if user_agent is not UNSET:
            field_dict["user_agent"] = user_agent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = d.pop("action")

        actor_type = d.pop("actor_type")

        id = d.pop("id")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        outcome = d.pop("outcome")

        actor_id = d.pop("actor_id", UNSET)

        details = d.pop("details", UNSET)

        hash_ = d.pop("hash", UNSET)

        ip = d.pop("ip", UNSET)

        prev_hash = d.pop("prev_hash", UNSET)

        request_id = d.pop("request_id", UNSET)

        seq = d.pop("seq", UNSET)

        target_id = d.pop("target_id", UNSET)

        target_type = d.pop("target_type", UNSET)

        user_agent = d.pop("user_agent", UNSET)

        audit_event_view = cls(
            action=action,
            actor_type=actor_type,
            id=id,
            occurred_at=occurred_at,
            outcome=outcome,
            actor_id=actor_id,
            details=details,
            hash_=hash_,
            ip=ip,
            prev_hash=prev_hash,
            request_id=request_id,
            seq=seq,
            target_id=target_id,
            target_type=target_type,
            user_agent=user_agent,
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
