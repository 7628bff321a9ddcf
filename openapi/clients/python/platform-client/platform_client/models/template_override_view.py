from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TemplateOverrideView")


@_attrs_define
class TemplateOverrideView:
    """Replacement templates (minijinja) for some parts of one message; each is checked by
    rendering it with sample values before it is saved, and must keep the message's code or
    link in the text part. An absent part keeps the bundled one; overrides may
    `{% extends "_layouts/base.txt" %}` (or `base.html`) like the bundled ones.

        Attributes:
            html (str | Unset):
            subject (str | Unset):
            text (str | Unset):
    """

    html: str | Unset = UNSET
    subject: str | Unset = UNSET
    text: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        html = self.html

        subject = self.subject

        text = self.text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if html is not UNSET:
            field_dict["html"] = html
        if subject is not UNSET:
            field_dict["subject"] = subject
        if text is not UNSET:
            field_dict["text"] = text

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        html = d.pop("html", UNSET)

        subject = d.pop("subject", UNSET)

        text = d.pop("text", UNSET)

        template_override_view = cls(
            html=html,
            subject=subject,
            text=text,
        )

        template_override_view.additional_properties = d
        return template_override_view

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
