from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.mfa_policy_view import MfaPolicyView
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.branding_view import BrandingView
    from ..models.password_policy_view import PasswordPolicyView
    from ..models.refresh_binding_view import RefreshBindingView
    from ..models.settings_patch_custom_roles import SettingsPatchCustomRoles
    from ..models.settings_patch_email_templates import SettingsPatchEmailTemplates
    from ..models.settings_patch_rate_limits import SettingsPatchRateLimits


T = TypeVar("T", bound="TenantPatchSettings")


@_attrs_define
class TenantPatchSettings:
    """A settings change, as for `PATCH /v1/tenants/{tenant}/settings`.

    Attributes:
        access_token_ttl_secs (int | Unset):
        audit_retention_days (int | Unset):
        branding (BrandingView | Unset): Email branding; unset fields keep the defaults (the tenant's name, the
            platform's sender).
        cors_allowed_origins (list[str] | Unset):
        custom_roles (SettingsPatchCustomRoles | Unset):
        default_role (str | Unset):
        email_templates (SettingsPatchEmailTemplates | Unset):
        mfa_email_otp (bool | Unset):
        mfa_policy (MfaPolicyView | Unset): Who must use two-factor authentication.
        new_sign_in_alert (bool | Unset):
        password_policy (PasswordPolicyView | Unset): What a new password must be.
        rate_limits (SettingsPatchRateLimits | Unset):
        refresh_binding (RefreshBindingView | Unset): What refresh tokens are bound to (all off by default): a refresh
            from elsewhere is refused
            (and audited), and the token stays usable where it belongs.
        refresh_reuse_grace_secs (int | Unset):
        self_signup (bool | Unset):
        session_absolute_secs (int | Unset):
        session_idle_secs (int | Unset):
    """

    access_token_ttl_secs: int | Unset = UNSET
    audit_retention_days: int | Unset = UNSET
    branding: BrandingView | Unset = UNSET
    cors_allowed_origins: list[str] | Unset = UNSET
    custom_roles: SettingsPatchCustomRoles | Unset = UNSET
    default_role: str | Unset = UNSET
    email_templates: SettingsPatchEmailTemplates | Unset = UNSET
    mfa_email_otp: bool | Unset = UNSET
    mfa_policy: MfaPolicyView | Unset = UNSET
    new_sign_in_alert: bool | Unset = UNSET
    password_policy: PasswordPolicyView | Unset = UNSET
    rate_limits: SettingsPatchRateLimits | Unset = UNSET
    refresh_binding: RefreshBindingView | Unset = UNSET
    refresh_reuse_grace_secs: int | Unset = UNSET
    self_signup: bool | Unset = UNSET
    session_absolute_secs: int | Unset = UNSET
    session_idle_secs: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token_ttl_secs = self.access_token_ttl_secs

        audit_retention_days = self.audit_retention_days

        branding: dict[str, Any] | Unset = UNSET
        if not isinstance(self.branding, Unset):
            branding = self.branding.to_dict()

        cors_allowed_origins: list[str] | Unset = UNSET
        if not isinstance(self.cors_allowed_origins, Unset):
            cors_allowed_origins = self.cors_allowed_origins

        custom_roles: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_roles, Unset):
            custom_roles = self.custom_roles.to_dict()

        default_role = self.default_role

        email_templates: dict[str, Any] | Unset = UNSET
        if not isinstance(self.email_templates, Unset):
            email_templates = self.email_templates.to_dict()

        mfa_email_otp = self.mfa_email_otp

        mfa_policy: str | Unset = UNSET
        if not isinstance(self.mfa_policy, Unset):
            mfa_policy = self.mfa_policy.value

        new_sign_in_alert = self.new_sign_in_alert

        password_policy: dict[str, Any] | Unset = UNSET
        if not isinstance(self.password_policy, Unset):
            password_policy = self.password_policy.to_dict()

        rate_limits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.rate_limits, Unset):
            rate_limits = self.rate_limits.to_dict()

        refresh_binding: dict[str, Any] | Unset = UNSET
        if not isinstance(self.refresh_binding, Unset):
            refresh_binding = self.refresh_binding.to_dict()

        refresh_reuse_grace_secs = self.refresh_reuse_grace_secs

        self_signup = self.self_signup

        session_absolute_secs = self.session_absolute_secs

        session_idle_secs = self.session_idle_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if access_token_ttl_secs is not UNSET:
            field_dict["access_token_ttl_secs"] = access_token_ttl_secs
        if audit_retention_days is not UNSET:
            field_dict["audit_retention_days"] = audit_retention_days
        if branding is not UNSET:
            field_dict["branding"] = branding
        if cors_allowed_origins is not UNSET:
            field_dict["cors_allowed_origins"] = cors_allowed_origins
        if custom_roles is not UNSET:
            field_dict["custom_roles"] = custom_roles
        if default_role is not UNSET:
            field_dict["default_role"] = default_role
        if email_templates is not UNSET:
            field_dict["email_templates"] = email_templates
        if mfa_email_otp is not UNSET:
            field_dict["mfa_email_otp"] = mfa_email_otp
        if mfa_policy is not UNSET:
            field_dict["mfa_policy"] = mfa_policy
        if new_sign_in_alert is not UNSET:
            field_dict["new_sign_in_alert"] = new_sign_in_alert
        if password_policy is not UNSET:
            field_dict["password_policy"] = password_policy
        if rate_limits is not UNSET:
            field_dict["rate_limits"] = rate_limits
        if refresh_binding is not UNSET:
            field_dict["refresh_binding"] = refresh_binding
        if refresh_reuse_grace_secs is not UNSET:
            field_dict["refresh_reuse_grace_secs"] = refresh_reuse_grace_secs
        if self_signup is not UNSET:
            field_dict["self_signup"] = self_signup
        if session_absolute_secs is not UNSET:
            field_dict["session_absolute_secs"] = session_absolute_secs
        if session_idle_secs is not UNSET:
            field_dict["session_idle_secs"] = session_idle_secs

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.branding_view import BrandingView  # noqa: PLC0415
        from ..models.password_policy_view import PasswordPolicyView  # noqa: PLC0415
        from ..models.refresh_binding_view import RefreshBindingView  # noqa: PLC0415
        from ..models.settings_patch_custom_roles import SettingsPatchCustomRoles  # noqa: PLC0415
        from ..models.settings_patch_email_templates import SettingsPatchEmailTemplates  # noqa: PLC0415
        from ..models.settings_patch_rate_limits import SettingsPatchRateLimits  # noqa: PLC0415

        d = dict(src_dict)
        access_token_ttl_secs = d.pop("access_token_ttl_secs", UNSET)

        audit_retention_days = d.pop("audit_retention_days", UNSET)

        _branding = d.pop("branding", UNSET)
        branding: BrandingView | Unset
        if isinstance(_branding, Unset):
            branding = UNSET
        else:
            branding = BrandingView.from_dict(_branding)

        cors_allowed_origins = cast(list[str], d.pop("cors_allowed_origins", UNSET))

        _custom_roles = d.pop("custom_roles", UNSET)
        custom_roles: SettingsPatchCustomRoles | Unset
        if isinstance(_custom_roles, Unset):
            custom_roles = UNSET
        else:
            custom_roles = SettingsPatchCustomRoles.from_dict(_custom_roles)

        default_role = d.pop("default_role", UNSET)

        _email_templates = d.pop("email_templates", UNSET)
        email_templates: SettingsPatchEmailTemplates | Unset
        if isinstance(_email_templates, Unset):
            email_templates = UNSET
        else:
            email_templates = SettingsPatchEmailTemplates.from_dict(_email_templates)

        mfa_email_otp = d.pop("mfa_email_otp", UNSET)

        _mfa_policy = d.pop("mfa_policy", UNSET)
        mfa_policy: MfaPolicyView | Unset
        if isinstance(_mfa_policy, Unset):
            mfa_policy = UNSET
        else:
            mfa_policy = MfaPolicyView(_mfa_policy)

        new_sign_in_alert = d.pop("new_sign_in_alert", UNSET)

        _password_policy = d.pop("password_policy", UNSET)
        password_policy: PasswordPolicyView | Unset
        if isinstance(_password_policy, Unset):
            password_policy = UNSET
        else:
            password_policy = PasswordPolicyView.from_dict(_password_policy)

        _rate_limits = d.pop("rate_limits", UNSET)
        rate_limits: SettingsPatchRateLimits | Unset
        if isinstance(_rate_limits, Unset):
            rate_limits = UNSET
        else:
            rate_limits = SettingsPatchRateLimits.from_dict(_rate_limits)

        _refresh_binding = d.pop("refresh_binding", UNSET)
        refresh_binding: RefreshBindingView | Unset
        if isinstance(_refresh_binding, Unset):
            refresh_binding = UNSET
        else:
            refresh_binding = RefreshBindingView.from_dict(_refresh_binding)

        refresh_reuse_grace_secs = d.pop("refresh_reuse_grace_secs", UNSET)

        self_signup = d.pop("self_signup", UNSET)

        session_absolute_secs = d.pop("session_absolute_secs", UNSET)

        session_idle_secs = d.pop("session_idle_secs", UNSET)

        tenant_patch_settings = cls(
            access_token_ttl_secs=access_token_ttl_secs,
            audit_retention_days=audit_retention_days,
            branding=branding,
            cors_allowed_origins=cors_allowed_origins,
            custom_roles=custom_roles,
            default_role=default_role,
            email_templates=email_templates,
            mfa_email_otp=mfa_email_otp,
            mfa_policy=mfa_policy,
            new_sign_in_alert=new_sign_in_alert,
            password_policy=password_policy,
            rate_limits=rate_limits,
            refresh_binding=refresh_binding,
            refresh_reuse_grace_secs=refresh_reuse_grace_secs,
            self_signup=self_signup,
            session_absolute_secs=session_absolute_secs,
            session_idle_secs=session_idle_secs,
        )

        tenant_patch_settings.additional_properties = d
        return tenant_patch_settings

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
