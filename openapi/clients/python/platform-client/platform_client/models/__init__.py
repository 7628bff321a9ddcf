"""Contains all the data models used in inputs/outputs"""

from .accept_request import AcceptRequest
from .accepted import Accepted
from .audit_event_view import AuditEventView
from .audit_page import AuditPage
from .backup_codes_view import BackupCodesView
from .branding_view import BrandingView
from .customer_list import CustomerList
from .customer_view import CustomerView
from .email_code_request import EmailCodeRequest
from .email_request import EmailRequest
from .error_code import ErrorCode
from .field_error import FieldError
from .health_status import HealthStatus
from .invitation_page import InvitationPage
from .invitation_request import InvitationRequest
from .invitation_view import InvitationView
from .jwk_set import JwkSet
from .jwk_view import JwkView
from .login_request import LoginRequest
from .login_result_mfa_challenge_view import LoginResultMfaChallengeView
from .login_result_mfa_challenge_view_result import LoginResultMfaChallengeViewResult
from .login_result_token_pair_view import LoginResultTokenPairView
from .login_result_token_pair_view_result import LoginResultTokenPairViewResult
from .me_patch import MePatch
from .member_page import MemberPage
from .member_patch import MemberPatch
from .mfa_challenge_view import MfaChallengeView
from .mfa_disable_request import MfaDisableRequest
from .mfa_login_request import MfaLoginRequest
from .mfa_method import MfaMethod
from .mfa_policy_view import MfaPolicyView
from .mfa_status_view import MfaStatusView
from .mfa_token_request import MfaTokenRequest
from .operator_challenge_view import OperatorChallengeView
from .operator_event_page import OperatorEventPage
from .operator_event_view import OperatorEventView
from .operator_list import OperatorList
from .operator_login_request import OperatorLoginRequest
from .operator_mfa_request import OperatorMfaRequest
from .operator_pair_view import OperatorPairView
from .operator_refresh_request import OperatorRefreshRequest
from .operator_view import OperatorView
from .password_change import PasswordChange
from .password_confirmation import PasswordConfirmation
from .password_policy_view import PasswordPolicyView
from .problem import Problem
from .rate_limit_view import RateLimitView
from .reauth_request import ReauthRequest
from .refresh_binding_view import RefreshBindingView
from .refresh_request import RefreshRequest
from .register_request import RegisterRequest
from .reset_request import ResetRequest
from .revoked_count import RevokedCount
from .session_list import SessionList
from .session_view import SessionView
from .settings_patch import SettingsPatch
from .settings_patch_custom_roles import SettingsPatchCustomRoles
from .settings_patch_email_templates import SettingsPatchEmailTemplates
from .settings_patch_rate_limits import SettingsPatchRateLimits
from .settings_view import SettingsView
from .settings_view_custom_roles import SettingsViewCustomRoles
from .settings_view_email_templates import SettingsViewEmailTemplates
from .settings_view_rate_limits import SettingsViewRateLimits
from .settings_view_refresh_binding import SettingsViewRefreshBinding
from .support_member_patch import SupportMemberPatch
from .template_override_view import TemplateOverrideView
from .tenant_create import TenantCreate
from .tenant_detail import TenantDetail
from .tenant_page import TenantPage
from .tenant_patch import TenantPatch
from .tenant_patch_settings import TenantPatchSettings
from .tenant_session_page import TenantSessionPage
from .tenant_session_view import TenantSessionView
from .tenant_view import TenantView
from .token_pair_view import TokenPairView
from .totp_code_reauth_request import TotpCodeReauthRequest
from .totp_code_request import TotpCodeRequest
from .totp_enrolment_view import TotpEnrolmentView
from .user_status import UserStatus
from .user_view import UserView
from .verify_email_request import VerifyEmailRequest

__all__ = (
    "Accepted",
    "AcceptRequest",
    "AuditEventView",
    "AuditPage",
    "BackupCodesView",
    "BrandingView",
    "CustomerList",
    "CustomerView",
    "EmailCodeRequest",
    "EmailRequest",
    "ErrorCode",
    "FieldError",
    "HealthStatus",
    "InvitationPage",
    "InvitationRequest",
    "InvitationView",
    "JwkSet",
    "JwkView",
    "LoginRequest",
    "LoginResultMfaChallengeView",
    "LoginResultMfaChallengeViewResult",
    "LoginResultTokenPairView",
    "LoginResultTokenPairViewResult",
    "MemberPage",
    "MemberPatch",
    "MePatch",
    "MfaChallengeView",
    "MfaDisableRequest",
    "MfaLoginRequest",
    "MfaMethod",
    "MfaPolicyView",
    "MfaStatusView",
    "MfaTokenRequest",
    "OperatorChallengeView",
    "OperatorEventPage",
    "OperatorEventView",
    "OperatorList",
    "OperatorLoginRequest",
    "OperatorMfaRequest",
    "OperatorPairView",
    "OperatorRefreshRequest",
    "OperatorView",
    "PasswordChange",
    "PasswordConfirmation",
    "PasswordPolicyView",
    "Problem",
    "RateLimitView",
    "ReauthRequest",
    "RefreshBindingView",
    "RefreshRequest",
    "RegisterRequest",
    "ResetRequest",
    "RevokedCount",
    "SessionList",
    "SessionView",
    "SettingsPatch",
    "SettingsPatchCustomRoles",
    "SettingsPatchEmailTemplates",
    "SettingsPatchRateLimits",
    "SettingsView",
    "SettingsViewCustomRoles",
    "SettingsViewEmailTemplates",
    "SettingsViewRateLimits",
    "SettingsViewRefreshBinding",
    "SupportMemberPatch",
    "TemplateOverrideView",
    "TenantCreate",
    "TenantDetail",
    "TenantPage",
    "TenantPatch",
    "TenantPatchSettings",
    "TenantSessionPage",
    "TenantSessionView",
    "TenantView",
    "TokenPairView",
    "TotpCodeReauthRequest",
    "TotpCodeRequest",
    "TotpEnrolmentView",
    "UserStatus",
    "UserView",
    "VerifyEmailRequest",
)
