"""Password hashes of accounts migrated from Mattermost: Go's bcrypt (``$2a$``) and the PBKDF2 PHC strings
newer Mattermost servers write (``$pbkdf2$f=SHA256,w=…,l=…$salt$hash``, unpadded base64)."""

from __future__ import annotations

import base64

import bcrypt

from chinwag.app.passwords import check_password_hash


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


#: PBKDF2-HMAC-SHA256("password", "salt"), the RFC 7914 test vectors for 1 and 2 iterations
VECTORS = {1: "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
           2: "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"}


def phc(rounds: int, key: str, salt: bytes = b"salt", f: str = "SHA256") -> str:
    return f"$pbkdf2$f={f},w={rounds},l={len(bytes.fromhex(key))}${b64(salt)}${b64(bytes.fromhex(key))}"


def test_pbkdf2_phc_strings() -> None:
    for rounds, key in VECTORS.items():
        assert check_password_hash("password", phc(rounds, key))
        assert not check_password_hash("passwordX", phc(rounds, key))
    assert not check_password_hash("password", phc(2, VECTORS[1]))  # the work factor is part of the hash
    assert not check_password_hash("password", phc(1, VECTORS[1], f="SHA512"))
    assert not check_password_hash("password", phc(1, VECTORS[1], salt=b"pepper"))
    for broken in ("$pbkdf2$f=SHA256,w=1,l=32$c2FsdA", "$pbkdf2$f=SHA256,w=x,l=32$c2FsdA$AAAA",
                   "$pbkdf2$f=SHA256,w=1,l=31$c2FsdA$" + b64(bytes.fromhex(VECTORS[1])),
                   "$pbkdf2$f=SHA256,w=0,l=32$c2FsdA$" + b64(bytes.fromhex(VECTORS[1])), "$pbkdf2$$$$"):
        assert not check_password_hash("password", broken)
    assert not check_password_hash("p" * 73, phc(1, VECTORS[1]))  # Mattermost's 72-byte limit


def test_go_bcrypt_hashes() -> None:
    hashed = bcrypt.hashpw(b"old password", bcrypt.gensalt(4, prefix=b"2a")).decode()
    assert hashed.startswith("$2a$04$")
    assert check_password_hash("old password", hashed) and not check_password_hash("other", hashed)
