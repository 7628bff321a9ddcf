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
        action (str):
        id (str):
        occurred_at (datetime.datetime):
        outcome (str):
        details (Any | Unset):
        ip (str | Unset):
        operator_id (str | Unset): Absent for the platform's command line.
        reason (str | Unset):
        request_id (str | Unset):
        target_id (str | Unset):
        target_type (str | Unset):
        tenant_id (str | Unset):
    """

    action: str
    id: str
    occurred_at: datetime.datetime
    outcome: str
    details: Any | Unset = UNSET
    ip: str | Unset = UNSET
    operator_id: str | Unset = UNSET
    reason: str | Unset = UNSET
    request_id: str | Unset = UNSET
    target_id: str | Unset = UNSET
    target_type: str | Unset = UNSET
    tenant_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        id = self.id

        occurred_at = self.occurred_at.isoformat()

        outcome = self.outcome

        details = self.details

        ip = self.ip

        operator_id = self.operator_id

        reason = self.reason

        request_id = self.request_id

        target_id = self.target_id

        target_type = self.target_type

        tenant_id = self.tenant_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "id": id,
                "occurred_at": occurred_at,
                "outcome": outcome,
            }
        )
        if details is not UNSET:
            field_dict["details"] = details
        if ip is not UNSET:
            field_dict["ip"] = ip
        if operator_id is not UNSET:
            field_dict["operator_id"] = operator_id
        if reason is not UNSET:
            field_dict["reason"] = reason
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if target_id is not UNSET:
            field_dict["target_id"] = target_id
        if target_type is not UNSET:
            field_dict["target_type"] = target_type
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = d.pop("action")

        id = d.pop("id")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        outcome = d.pop("outcome")

        details = d.pop("details", UNSET)

        ip = d.pop("ip", UNSET)

        operator_id = d.pop("operator_id", UNSET)

        reason = d.pop("reason", UNSET)

        request_id = d.pop("request_id", UNSET)

        target_id = d.pop("target_id", UNSET)

        target_type = d.pop("target_type", UNSET)

        tenant_id = d.pop("tenant_id", UNSET)

        operator_event_view = cls(
            action=action,
            id=id,
            occurred_at=occurred_at,
            outcome=outcome,
            details=details,
            ip=ip,
            operator_id=operator_id,
            reason=reason,
            request_id=request_id,
            target_id=target_id,
            target_type=target_type,
            tenant_id=tenant_id,
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
