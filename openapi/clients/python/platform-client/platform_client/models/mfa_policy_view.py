from enum import StrEnum


class MfaPolicyView(StrEnum):
    OPTIONAL = "optional"
    REQUIRED = "required"
    REQUIRED_FOR_ADMINS = "required_for_admins"

    def __str__(self) -> str:
        return str(self.value)
