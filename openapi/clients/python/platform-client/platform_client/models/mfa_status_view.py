from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MfaStatusView")


@_attrs_define
class MfaStatusView:
    """The user's second-factor state.

    Attributes:
        backup_codes_left (int): Unused backup codes.
        enabled (bool): Whether TOTP is confirmed and required at login.
        enrollment_pending (bool): Whether an enrolment was started and awaits its confirming code.
        required_by_policy (bool): Whether the tenant's MFA policy requires a second factor of this user.
    """

    backup_codes_left: int
    enabled: bool
    enrollment_pending: bool
    required_by_policy: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        backup_codes_left = self.backup_codes_left

        enabled = self.enabled

        enrollment_pending = self.enrollment_pending

        required_by_policy = self.required_by_policy

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "backup_codes_left": backup_codes_left,
                "enabled": enabled,
                "enrollment_pending": enrollment_pending,
                "required_by_policy": required_by_policy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        backup_codes_left = d.pop("backup_codes_left")

        enabled = d.pop("enabled")

        enrollment_pending = d.pop("enrollment_pending")

        required_by_policy = d.pop("required_by_policy")

        mfa_status_view = cls(
            backup_codes_left=backup_codes_left,
            enabled=enabled,
            enrollment_pending=enrollment_pending,
            required_by_policy=required_by_policy,
        )

        mfa_status_view.additional_properties = d
        return mfa_status_view

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
