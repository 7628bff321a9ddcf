from enum import StrEnum


class MfaMethod(StrEnum):
    BACKUP_CODE = "backup_code"
    EMAIL_OTP = "email_otp"
    TOTP = "totp"

    def __str__(self) -> str:
        return str(self.value)
