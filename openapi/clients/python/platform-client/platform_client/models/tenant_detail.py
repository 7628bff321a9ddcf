from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.settings_view import SettingsView
    from ..models.tenant_view import TenantView


T = TypeVar("T", bound="TenantDetail")


@_attrs_define
class TenantDetail:
    """A tenant and its settings.

    Attributes:
        settings (SettingsView): Every setting of a tenant.
        tenant (TenantView): A tenant.
    """

    settings: SettingsView
    tenant: TenantView
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        settings = self.settings.to_dict()

        tenant = self.tenant.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "settings": settings,
                "tenant": tenant,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settings_view import SettingsView  # noqa: PLC0415
        from ..models.tenant_view import TenantView  # noqa: PLC0415

        d = dict(src_dict)
        settings = SettingsView.from_dict(d.pop("settings"))

        tenant = TenantView.from_dict(d.pop("tenant"))

        tenant_detail = cls(
            settings=settings,
            tenant=tenant,
        )

        tenant_detail.additional_properties = d
        return tenant_detail

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
