"""One account on the host: the token's record (firmware/account.py) with named fields.

What `add` reads from a QR code, URI or typed key and what `list` gets back from a token are both an Account;
the token's listing carries no secret, so there it is None. The limits and the record's bytes come from the
firmware's module, the only place they are written down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .paths import firmware_module

fw_account = firmware_module("account")  # limits, check, encode, decode: shared with the token
ALGORITHMS = fw_account.ALGORITHMS


@dataclass(frozen=True)
class Account:
    """One TOTP account (``label`` is the account name without the issuer); its repr never shows the secret."""

    label: str
    issuer: str = ""
    secret: bytes | None = field(default=None, repr=False)  # the key as the token holds it; None when listed
    algorithm: str = "sha1"
    digits: int = 6
    period: int = 30

    @property
    def name(self) -> str:
        """How people name it: "Issuer:label", or the label alone."""
        return fw_account.display_name(self.issuer, self.label)

    def record(self) -> bytes:
        """The bytes the token stores (fw_account.Invalid if it cannot hold this account)."""
        return fw_account.encode(self.algorithm, self.digits, self.period, self.issuer, self.label,
                                 self.secret or b"")

    def public(self) -> dict:
        """Everything but the secret, as `list --json` shows it."""
        return {"label": self.label, "issuer": self.issuer, "algorithm": self.algorithm, "digits": self.digits,
                "period": self.period}

    @classmethod
    def listed(cls, part: bytes) -> Account:
        """The account a token lists: the public part of its record (fw_account.Invalid if it does not decode)."""
        algorithm, digits, period, issuer, label = fw_account.decode_public(part)
        return cls(label, issuer, None, algorithm, digits, period)
