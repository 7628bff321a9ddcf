from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.tenant_patch_settings import TenantPatchSettings


T = TypeVar("T", bound="TenantPatch")


@_attrs_define
class TenantPatch:
    """A change of a tenant.

    Attributes:
        name (str | Unset):
        reason (str | Unset):
        settings (TenantPatchSettings | Unset): A settings change, as for `PATCH /v1/tenants/{tenant}/settings`.
        status (str | Unset): `suspended` (every tenant path answers 403) or `active` (resume).
    """

    name: str | Unset = UNSET
    reason: str | Unset = UNSET
    settings: TenantPatchSettings | Unset = UNSET
    status: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        reason = self.reason

        settings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.settings, Unset):
            settings = self.settings.to_dict()

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if reason is not UNSET:
            field_dict["reason"] = reason
        if settings is not UNSET:
            field_dict["settings"] = settings
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tenant_patch_settings import TenantPatchSettings  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        reason = d.pop("reason", UNSET)

        _settings = d.pop("settings", UNSET)
        settings: TenantPatchSettings | Unset
        if isinstance(_settings, Unset):
            settings = UNSET
        else:
            settings = TenantPatchSettings.from_dict(_settings)

        status = d.pop("status", UNSET)

        tenant_patch = cls(
            name=name,
            reason=reason,
            settings=settings,
            status=status,
        )

        tenant_patch.additional_properties = d
        return tenant_patch

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
