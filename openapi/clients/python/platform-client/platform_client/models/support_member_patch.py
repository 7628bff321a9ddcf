from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SupportMemberPatch")


@_attrs_define
class SupportMemberPatch:
    """Support actions on one member; each field is optional, and several may be sent at once.

    Attributes:
        force_password_reset (bool | Unset): Clear the password, end every session, and email a reset link.
        reason (str | Unset): Why, for both audit logs.
        reset_mfa (bool | Unset): Erase the member's second factor so they can enrol again (their sessions end).
        role (str | Unset): A new role (`admin` operators).
        status (str | Unset): `active` or `disabled` (`admin` operators; disabling revokes their sessions).
    """

    force_password_reset: bool | Unset = UNSET
    reason: str | Unset = UNSET
    reset_mfa: bool | Unset = UNSET
    role: str | Unset = UNSET
    status: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        force_password_reset = self.force_password_reset

        reason = self.reason

        reset_mfa = self.reset_mfa

        role = self.role

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if force_password_reset is not UNSET:
            field_dict["force_password_reset"] = force_password_reset
        if reason is not UNSET:
            field_dict["reason"] = reason
        if reset_mfa is not UNSET:
            field_dict["reset_mfa"] = reset_mfa
        if role is not UNSET:
            field_dict["role"] = role
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        force_password_reset = d.pop("force_password_reset", UNSET)

        reason = d.pop("reason", UNSET)

        reset_mfa = d.pop("reset_mfa", UNSET)

        role = d.pop("role", UNSET)

        status = d.pop("status", UNSET)

        support_member_patch = cls(
            force_password_reset=force_password_reset,
            reason=reason,
            reset_mfa=reset_mfa,
            role=role,
            status=status,
        )

        support_member_patch.additional_properties = d
        return support_member_patch

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
