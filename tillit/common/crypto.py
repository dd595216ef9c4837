"""Protecting personal data at rest: encryption, and a keyed hash to find a record by its number.

One secret (settings.PERSONAL_DATA_KEY) is stretched into two independent keys with HKDF,
so the look-up hash cannot be used to decrypt and the encryption key never hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tillit", info=purpose).derive(secret.encode("utf-8"))


class PersonalDataProtector:
    """Encrypts and hashes personal identity numbers and names."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("A personal-data key is required.")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"encrypt")))
        self._hash_key = _derive(secret, b"lookup-hash")

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii") if text else ""

    def decrypt(self, token: str) -> str:
        if not token:
            return ""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ValueError("The stored value cannot be decrypted with the configured key.") from None

    def lookup_hash(self, canonical: str) -> str:
        """A stable keyed hash: equal numbers hash equal, and nobody without the key can test guesses."""
        return hmac.new(self._hash_key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def protector(secret: str) -> PersonalDataProtector:
    return PersonalDataProtector(secret)
