"""The two ways a check can end badly: the evidence is wrong, or the input is unreadable."""


class DaftariVerifyError(Exception):
    """Base of every error raised by daftari_verify."""


class VerificationError(DaftariVerifyError):
    """The input is well formed but does not prove what it claims (exit code 1)."""


class FormatError(DaftariVerifyError, ValueError):
    """The input cannot be read as the format it should have (exit code 2)."""
