"""The accounts people connected in Mattermost's GitLab plugin, read from its key/value store so they need
no ``/gitlab connect`` in chinwag.

The plugin (``com.github.manland.mattermost-plugin-gitlab``) keeps, per Mattermost user:

- ``<user id>_userinfo``: JSON ``{"UserID", "GitlabUsername", "GitlabUserID", "LastToDoPostAt",
  "Settings": {"sidebar_buttons", "daily_reminder", "notifications"}, "AllowedPrivateRepos"}``, and
  ``<user id>_usertoken``: the OAuth token (JSON ``{"access_token", "token_type", "refresh_token",
  "expiry"}``) encrypted;
- or, written by its older versions, ``<user id>_gitlabtoken``: the user info with ``"Token"`` in it,
  only the access token encrypted;
- ``<GitLab username>_gitlabusername`` → user id and ``<GitLab id>_gitlabidusername`` → GitLab username,
  lookups the bundled plugin rebuilds from the accounts.

Encryption: AES (the plugin's ``EncryptionKey`` setting, 16, 24 or 32 characters, is the key as it is) in
CFB mode with a random 16-byte IV in front, the plaintext PKCS#7-padded, all in URL-safe base64. The key
is in the plugin's settings (``PluginSettings.Plugins["com.github.manland.mattermost-plugin-gitlab"]``) of
Mattermost's configuration: its config.json, or the ``Configurations`` table when the configuration is in
the database."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chinwag.app.migration import GITLAB_PLUGIN, GitLabAccount

#: the suffixes of the plugin's per-user keys
USERINFO, USERTOKEN, LEGACY = "_userinfo", "_usertoken", "_gitlabtoken"
MAPPINGS = ("_gitlabusername", "_gitlabidusername")


class DecryptError(ValueError):
    pass


def decrypt(key: str, text: str) -> str:
    """What the plugin's ``encrypt`` made of a string with this ``EncryptionKey``."""
    from cryptography.hazmat.decrepit.ciphers.modes import CFB  # where cryptography keeps CFB now
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    raw_key = key.encode()
    if len(raw_key) not in (16, 24, 32):
        raise DecryptError(f"the EncryptionKey is {len(raw_key)} bytes long (AES needs 16, 24 or 32)")
    try:
        data = base64.urlsafe_b64decode(text.strip())
    except (binascii.Error, ValueError):
        raise DecryptError("not URL-safe base64") from None
    if len(data) < 32 or len(data) % 16:
        raise DecryptError("not a whole number of AES blocks after the IV")
    dec = Cipher(algorithms.AES(raw_key), CFB(data[:16])).decryptor()
    plain = dec.update(data[16:]) + dec.finalize()
    pad = plain[-1]
    if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
        raise DecryptError("bad padding (another EncryptionKey encrypted it)")
    try:
        return plain[:-pad].decode()
    except UnicodeDecodeError:
        raise DecryptError("not text (another EncryptionKey encrypted it)") from None


def plugin_settings(config: Any) -> dict[str, Any]:
    """The GitLab plugin's settings (keys lower-cased) in a Mattermost configuration (config.json's
    content), empty when it has none."""
    if not isinstance(config, dict):
        return {}
    plugins = (config.get("PluginSettings") or {}).get("Plugins") or {}
    mine = plugins.get(GITLAB_PLUGIN) if isinstance(plugins, dict) else None
    return {str(k).lower(): v for k, v in mine.items()} if isinstance(mine, dict) else {}


@dataclass
class Accounts:
    found: list[GitLabAccount] = field(default_factory=list)
    #: (user id, why) of accounts that could not be read
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: how many keys of the plugin these accounts (and their lookups) are
    keys: int = 0


def _expiry(value: Any) -> int:
    """oauth2.Token's ``expiry`` (RFC 3339; Go's zero time when there is none) in ms."""
    if not isinstance(value, str) or not value or value.startswith("0001-"):
        return 0
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return 0


def _account(user_id: str, info: dict[str, Any], token: dict[str, Any]) -> GitLabAccount:
    settings = info.get("Settings") if isinstance(info.get("Settings"), dict) else {}
    assert isinstance(settings, dict)
    return GitLabAccount(user_id=user_id, gitlab_user_id=int(info.get("GitlabUserID") or 0),
                   gitlab_username=str(info.get("GitlabUsername") or ""),
                   access_token=str(token.get("access_token") or ""),
                   refresh_token=str(token.get("refresh_token") or ""), expiry=_expiry(token.get("expiry")),
                   last_todo_post_at=int(info.get("LastToDoPostAt") or 0),
                   settings={k: bool(settings[k]) for k in ("daily_reminder", "notifications") if k in settings})


def accounts(kv: dict[str, bytes], key: str) -> Accounts:
    """The connected accounts in the plugin's keys (``kv``: key → value), decrypted with ``key`` (empty: not
    known, every account unreadable)."""
    out = Accounts()
    users = sorted({k[: -len(s)] for k in kv for s in (USERINFO, USERTOKEN, LEGACY) if k.endswith(s)})
    for uid in users:
        info_raw, token_raw, legacy_raw = (kv.get(uid + s) for s in (USERINFO, USERTOKEN, LEGACY))
        out.keys += sum(1 for x in (info_raw, token_raw, legacy_raw) if x is not None)
        try:
            if not key:
                raise DecryptError("no EncryptionKey")
            if info_raw is not None and token_raw is not None:
                info = json.loads(info_raw)
                try:
                    token = json.loads(decrypt(key, token_raw.decode()))
                except json.JSONDecodeError:
                    raise DecryptError("not JSON once decrypted (another EncryptionKey encrypted it)") from None
            elif legacy_raw is not None:
                info = json.loads(legacy_raw)
                token = dict(info.get("Token") or {}) if isinstance(info, dict) else {}
                token["access_token"] = decrypt(key, str(token.get("access_token") or ""))
            else:
                raise DecryptError("half an account (user info or token missing)")
            if not isinstance(info, dict) or not isinstance(token, dict):
                raise DecryptError("not the plugin's JSON")
            account = _account(uid, info, token)
            if not account.access_token or not account.gitlab_username:
                raise DecryptError("no access token or GitLab username")
            out.found.append(account)
        except (DecryptError, ValueError, UnicodeDecodeError) as e:
            out.unreadable.append((uid, str(e)))
    out.keys += sum(1 for k in kv if k.endswith(MAPPINGS))
    return out
