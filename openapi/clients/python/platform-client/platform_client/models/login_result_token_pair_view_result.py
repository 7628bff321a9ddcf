from enum import StrEnum


class LoginResultTokenPairViewResult(StrEnum):
    SIGNED_IN = "signed_in"

    def __str__(self) -> str:
        return str(self.value)
