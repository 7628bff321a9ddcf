from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OperatorEventView")


@_attrs_define
class OperatorEventView:
    """One entry of the operators' log.

    Attributes:
        id (str):
        occurred_at (datetime.datetime):
        action (str):
        outcome (str):
        operator_id (str | Unset): Absent for the platform's command line.
        tenant_id (str | Unset):
        target_type (str | Unset):
        target_id (str | Unset):
        reason (str | Unset):
        ip (str | Unset):
        request_id (str | Unset):
        details (Any | Unset):
    """

    id: str
    occurred_at: datetime.datetime
    action: str
    outcome: str
    operator_id: str | Unset = UNSET
    tenant_id: str | Unset = UNSET
    target_type: str | Unset = UNSET
    target_id: str | Unset = UNSET
    reason: str | Unset = UNSET
    ip: str | Unset = UNSET
    request_id: str | Unset = UNSET
    details: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        occurred_at = self.occurred_at.isoformat()

        action = self.action

        outcome = self.outcome

        operator_id = self.operator_id

        tenant_id = self.tenant_id

        target_type = self.target_type

        target_id = self.target_id

        reason = self.reason

        ip = self.ip

        request_id = self.request_id

        details = self.details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "occurred_at": occurred_at,
                "action": action,
                "outcome": outcome,
            }
        )
        if operator_id is not UNSET:
            field_dict["operator_id"] = operator_id
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id
        if target_type is not UNSET:
            field_dict["target_type"] = target_type
        if target_id is not UNSET:
            field_dict["target_id"] = target_id
        if reason is not UNSET:
            field_dict["reason"] = reason
        if ip is not UNSET:
            field_dict["ip"] = ip
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        action = d.pop("action")

        outcome = d.pop("outcome")

        operator_id = d.pop("operator_id", UNSET)

        tenant_id = d.pop("tenant_id", UNSET)

        target_type = d.pop("target_type", UNSET)

        target_id = d.pop("target_id", UNSET)

        reason = d.pop("reason", UNSET)

        ip = d.pop("ip", UNSET)

        request_id = d.pop("request_id", UNSET)

        details = d.pop("details", UNSET)

        operator_event_view = cls(
            id=id,
            occurred_at=occurred_at,
            action=action,
            outcome=outcome,
            operator_id=operator_id,
            tenant_id=tenant_id,
            target_type=target_type,
            target_id=target_id,
            reason=reason,
            ip=ip,
            request_id=request_id,
            details=details,
        )

        operator_event_view.additional_properties = d
        return operator_event_view

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
