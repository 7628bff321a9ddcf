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
    from ..models.settings_view_custom_roles import SettingsViewCustomRoles
    from ..models.settings_view_email_templates import SettingsViewEmailTemplates
    from ..models.settings_view_rate_limits import SettingsViewRateLimits
    from ..models.settings_view_refresh_binding import SettingsViewRefreshBinding


T = TypeVar("T", bound="SettingsView")


@_attrs_define
class SettingsView:
    """Every setting of a tenant.

    Attributes:
        access_token_ttl_secs (int): Access-token lifetime, 60 to 86,400 s (default 900).
        branding (BrandingView): Email branding; unset fields keep the defaults (the tenant's name, the platform's
            sender).
        cors_allowed_origins (list[str]): Browser origins (`https://app.example.com`, at most 50) that may call the
            tenant's API
            from another origin, with credentials; none by default.
        custom_roles (SettingsViewCustomRoles): Custom roles: name → permissions from the catalogue (`members:read`,
            `members:write`,
            `sessions:read`, `sessions:revoke`, `audit:read`, `settings:read`, `settings:write`).
        default_role (str): The role of self-registered users (default `member`; never `owner`).
        email_templates (SettingsViewEmailTemplates): Template overrides by message (`email_verification`, `login_code`,
            `password_reset`,
            `invitation`, `new_sign_in`, `mfa_changed`, `password_changed`, `account_exists`). The
            templates never see the real code or link, the HTML is sanitised to an allow-list of
            tags and attributes, and no URL but `{{ link }}` and the logo is kept.
        mfa_email_otp (bool): Offer an emailed code as a second factor of password logins (default off).
        mfa_policy (MfaPolicyView): Who must use two-factor authentication.
        new_sign_in_alert (bool): Email users about sign-ins from new addresses (default on).
        password_policy (PasswordPolicyView): What a new password must be.
        rate_limits (SettingsViewRateLimits): Throttling overrides by bucket (`login_ip`, `login_account`,
            `register_ip`,
            `code_verify_account`, `code_send_account`, `forgot_ip`, `reset_ip`, `otp_ip`, `mfa_ip`,
            `mfa_account`).
        refresh_binding (SettingsViewRefreshBinding): Binds refresh tokens to the network or browser that signed in: a
            refresh from elsewhere
            is refused as `401 invalid_refresh_token` and audited (`auth.refresh_refused`).
        refresh_reuse_grace_secs (int): 0 to 60 s (default 0). Within it, a session's newest spent refresh token
            presented again
            (two tabs, a network retry) gets a fresh pair instead of revoking the session; past it,
            or for an older token, reuse revokes the session.
        self_signup (bool): Whether `POST /auth/register` creates accounts (default on).
        session_absolute_secs (int): A session ends this long after its login (default 30 days).
        session_idle_secs (int): A session ends after this long without a refresh (default 14 days).
        audit_retention_days (int | Unset): Audit events older than this many days (30 to 3,650) are pruned; absent
            keeps them.
    """

    access_token_ttl_secs: int
    branding: BrandingView
    cors_allowed_origins: list[str]
    custom_roles: SettingsViewCustomRoles
    default_role: str
    email_templates: SettingsViewEmailTemplates
    mfa_email_otp: bool
    mfa_policy: MfaPolicyView
    new_sign_in_alert: bool
    password_policy: PasswordPolicyView
    rate_limits: SettingsViewRateLimits
    refresh_binding: SettingsViewRefreshBinding
    refresh_reuse_grace_secs: int
    self_signup: bool
    session_absolute_secs: int
    session_idle_secs: int
    audit_retention_days: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token_ttl_secs = self.access_token_ttl_secs

        branding = self.branding.to_dict()

        cors_allowed_origins = self.cors_allowed_origins

        custom_roles = self.custom_roles.to_dict()

        default_role = self.default_role

        email_templates = self.email_templates.to_dict()

        mfa_email_otp = self.mfa_email_otp

        mfa_policy = self.mfa_policy.value

        new_sign_in_alert = self.new_sign_in_alert

        password_policy = self.password_policy.to_dict()

        rate_limits = self.rate_limits.to_dict()

        refresh_binding = self.refresh_binding.to_dict()

        refresh_reuse_grace_secs = self.refresh_reuse_grace_secs

        self_signup = self.self_signup

        session_absolute_secs = self.session_absolute_secs

        session_idle_secs = self.session_idle_secs

        audit_retention_days = self.audit_retention_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token_ttl_secs": access_token_ttl_secs,
                "branding": branding,
                "cors_allowed_origins": cors_allowed_origins,
                "custom_roles": custom_roles,
                "default_role": default_role,
                "email_templates": email_templates,
                "mfa_email_otp": mfa_email_otp,
                "mfa_policy": mfa_policy,
                "new_sign_in_alert": new_sign_in_alert,
                "password_policy": password_policy,
                "rate_limits": rate_limits,
                "refresh_binding": refresh_binding,
                "refresh_reuse_grace_secs": refresh_reuse_grace_secs,
                "self_signup": self_signup,
                "session_absolute_secs": session_absolute_secs,
                "session_idle_secs": session_idle_secs,
            }
        )
        if audit_retention_days is not UNSET:
            field_dict["audit_retention_days"] = audit_retention_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.branding_view import BrandingView  # noqa: PLC0415
        from ..models.password_policy_view import PasswordPolicyView  # noqa: PLC0415
        from ..models.settings_view_custom_roles import SettingsViewCustomRoles  # noqa: PLC0415
        from ..models.settings_view_email_templates import SettingsViewEmailTemplates  # noqa: PLC0415
        from ..models.settings_view_rate_limits import SettingsViewRateLimits  # noqa: PLC0415
        from ..models.settings_view_refresh_binding import SettingsViewRefreshBinding  # noqa: PLC0415

        d = dict(src_dict)
        access_token_ttl_secs = d.pop("access_token_ttl_secs")

        branding = BrandingView.from_dict(d.pop("branding"))

        cors_allowed_origins = cast(list[str], d.pop("cors_allowed_origins"))

        custom_roles = SettingsViewCustomRoles.from_dict(d.pop("custom_roles"))

        default_role = d.pop("default_role")

        email_templates = SettingsViewEmailTemplates.from_dict(d.pop("email_templates"))

        mfa_email_otp = d.pop("mfa_email_otp")

        mfa_policy = MfaPolicyView(d.pop("mfa_policy"))

        new_sign_in_alert = d.pop("new_sign_in_alert")

        password_policy = PasswordPolicyView.from_dict(d.pop("password_policy"))

        rate_limits = SettingsViewRateLimits.from_dict(d.pop("rate_limits"))

        refresh_binding = SettingsViewRefreshBinding.from_dict(d.pop("refresh_binding"))

        refresh_reuse_grace_secs = d.pop("refresh_reuse_grace_secs")

        self_signup = d.pop("self_signup")

        session_absolute_secs = d.pop("session_absolute_secs")

        session_idle_secs = d.pop("session_idle_secs")

        audit_retention_days = d.pop("audit_retention_days", UNSET)

        settings_view = cls(
            access_token_ttl_secs=access_token_ttl_secs,
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
            audit_retention_days=audit_retention_days,
        )

        settings_view.additional_properties = d
        return settings_view

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
