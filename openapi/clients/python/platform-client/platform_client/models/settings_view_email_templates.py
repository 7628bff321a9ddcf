from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.template_override_view import TemplateOverrideView


T = TypeVar("T", bound="SettingsViewEmailTemplates")


@_attrs_define
class SettingsViewEmailTemplates:
    """Template overrides by message (`email_verification`, `login_code`, `password_reset`,
    `invitation`, `new_sign_in`, `mfa_changed`, `password_changed`, `account_exists`). The
    templates never see the real code or link, the HTML is sanitised to an allow-list of
    tags and attributes, and no URL but `{{ link }}` and the logo is kept.

    """

    additional_properties: dict[str, TemplateOverrideView] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.template_override_view import TemplateOverrideView  # noqa: PLC0415

        d = dict(src_dict)
        settings_view_email_templates = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = TemplateOverrideView.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        settings_view_email_templates.additional_properties = additional_properties
        return settings_view_email_templates

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> TemplateOverrideView:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: TemplateOverrideView) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
