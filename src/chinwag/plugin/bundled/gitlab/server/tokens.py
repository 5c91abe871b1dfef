"""The GitLab plugin's tokens at rest: sealed with AES-GCM under a key derived (SHA-256) from the plugin's
``EncryptionKey`` setting (``aesgcm:`` + base64 of nonce and ciphertext); without a key they are kept as
they are. The plugin and the Mattermost migration (which stores the accounts people connected in
Mattermost's GitLab plugin) seal with the same functions, so either side opens what the other wrote."""

from __future__ import annotations

import base64
import hashlib
import os

PREFIX = "aesgcm:"


def _key(setting: str) -> bytes | None:
    return hashlib.sha256(setting.encode()).digest() if setting else None


def seal(setting: str, token: str) -> str:
    """``token`` sealed under the ``EncryptionKey`` setting (as it is when the setting is empty)."""
    key = _key(setting)
    if key is None or not token:
        return token
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return PREFIX + base64.b64encode(nonce + AESGCM(key).encrypt(nonce, token.encode(), None)).decode()


def unseal(setting: str, sealed: str) -> str:
    """The token ``seal`` sealed; empty when the key is missing or another one sealed it."""
    if not sealed.startswith(PREFIX):
        return sealed
    key = _key(setting)
    if key is None:
        return ""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.b64decode(sealed[len(PREFIX):])
        return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()
    except Exception:
        return ""
