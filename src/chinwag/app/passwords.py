"""Password hashing (bcrypt), shared by sign-up, login and password changes. Checking also accepts the
PBKDF2 hashes newer Mattermost servers write (``$pbkdf2$f=SHA256,w=…,l=…$salt$hash``), so accounts
migrated from Mattermost keep their passwords whichever hasher their server used."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

import bcrypt

_BCRYPT_ROUNDS = 10


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(_BCRYPT_ROUNDS)).decode()


#: Mattermost's limit for every hasher (bcrypt's own)
_MAX_PASSWORD_BYTES = 72


def _b64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _check_pbkdf2(password: str, hashed: str) -> bool:
    """Mattermost's PHC string ``$pbkdf2$f=SHA256,w=<iterations>,l=<key bytes>$<salt>$<hash>`` (unpadded
    standard base64)."""
    parts = hashed.split("$")
    if len(parts) != 5 or parts[0] or parts[1] != "pbkdf2":
        return False
    params = dict(p.partition("=")[::2] for p in parts[2].split(","))
    try:
        rounds, length = int(params.get("w", "")), int(params.get("l", ""))
        salt, want = _b64(parts[3]), _b64(parts[4])
    except (ValueError, binascii.Error):
        return False
    if params.get("f") != "SHA256" or len(params) != 3 or not 0 < rounds <= 10_000_000 or length != len(want):
        return False
    raw = password.encode()
    if len(raw) > _MAX_PASSWORD_BYTES:
        return False
    return hmac.compare_digest(hashlib.pbkdf2_hmac("sha256", raw, salt, rounds, length), want)


def check_password_hash(password: str, hashed: str) -> bool:
    if not hashed:
        return False
    if hashed.startswith("$pbkdf2$"):
        return _check_pbkdf2(password, hashed)
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False



_dummy_hashes: dict[int, bytes] = {}


def check_dummy_password(password: str) -> bool:
    """The work of checking a password, for a login naming no account: the answer then takes as long
    as a wrong password's, so its timing does not tell whether the account exists. Always False."""
    dummy = _dummy_hashes.get(_BCRYPT_ROUNDS)
    if dummy is None:
        dummy = _dummy_hashes[_BCRYPT_ROUNDS] = bcrypt.hashpw(b"chinwag-dummy-password", bcrypt.gensalt(_BCRYPT_ROUNDS))
    bcrypt.checkpw(password.encode(), dummy)
    return False
