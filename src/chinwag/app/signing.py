"""The server's integration secrets, shared by every node through the Systems table: the key that signs
trigger ids (Mattermost's AsymmetricSigningKey, ECDSA P-256) and the AES-256-GCM secret that seals
interactive-message cookies (PostActionCookieSecret). Both are made on first use.

A trigger id is Mattermost's: ``base64(client_trigger_id:user_id:millis:base64(ASN.1 ECDSA signature))``
over the SHA-256 of ``client_trigger_id:user_id:millis:``."""

from __future__ import annotations

import asyncio
import base64
import binascii
import os

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chinwag.app.core import AppCore
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id
from chinwag.model.integration_action import (
    RETAIN_PROP_KEYS,
    PostActionCookie,
    actions_of,
    generate_action_ids,
)
from chinwag.model.post import Post

KEY_NAME = "AsymmetricSigningKey"
SECRET_NAME = "PostActionCookieSecret"


class SigningService:
    def __init__(self, core: AppCore) -> None:
        self.core = core
        self._key: ec.EllipticCurvePrivateKey | None = None
        self._secret: bytes | None = None
        self._lock = asyncio.Lock()

    async def _load(self) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
        async with self._lock:
            if self._key is None or self._secret is None:
                system = self.core.store.system
                fresh = ec.generate_private_key(ec.SECP256R1()).private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()).decode()
                pem = await system.set_if_absent(KEY_NAME, fresh)
                key = serialization.load_pem_private_key(pem.encode(), password=None)
                assert isinstance(key, ec.EllipticCurvePrivateKey)
                raw = await system.set_if_absent(SECRET_NAME, base64.b64encode(os.urandom(32)).decode())
                self._key, self._secret = key, base64.b64decode(raw)
            return self._key, self._secret

    # trigger ids --------------------------------------------------------------------------------

    async def trigger_id(self, user_id: str) -> tuple[str, str]:
        """(client trigger id, signed trigger id) for an interaction by ``user_id``."""
        key, _ = await self._load()
        client = new_id()
        data = f"{client}:{user_id}:{self.core.now()}:"
        signature = key.sign(data.encode(), ec.ECDSA(hashes.SHA256()))
        signed = base64.b64encode((data + base64.b64encode(signature).decode()).encode()).decode()
        return client, signed

    async def verify_trigger_id(self, trigger_id: str, timeout_ms: int) -> tuple[str, str]:
        """(client trigger id, user id) of a trigger id this server signed within ``timeout_ms``."""
        where = "DecodeAndVerifyTriggerId"

        def bad(suffix: str, message: str) -> AppError:
            return AppError(where, f"interactive_message.decode_trigger_id.{suffix}", message, 400)

        key, _ = await self._load()
        try:
            raw = base64.b64decode(trigger_id, validate=True).decode()
        except (binascii.Error, ValueError):
            raise bad("base64_decode_failed", "Failed to decode base64 for trigger ID for interactive dialog.") \
                from None
        parts = raw.split(":")
        if len(parts) != 4:
            raise bad("missing_data", "Trigger ID missing required data for interactive dialog.")
        client, user_id, millis, sig64 = parts
        try:
            stamp = int(millis)
        except ValueError:
            stamp = 0
        if self.core.now() - stamp > timeout_ms:
            raise bad("expired", f"Trigger ID for interactive dialog is expired. Maximum TTL is "
                                 f"{timeout_ms // 1000}s.")
        try:
            signature = base64.b64decode(sig64, validate=True)
        except (binascii.Error, ValueError):
            raise bad("base64_decode_failed_signature",
                      "Failed to decode base64 signature of trigger ID for interactive dialog.") from None
        try:
            key.public_key().verify(signature, f"{client}:{user_id}:{millis}:".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise bad("verify_signature_failed", "Signature verification failed of trigger ID for interactive "
                                                 "dialog.") from None
        except ValueError:
            raise bad("signature_decode_failed", "Failed to decode signature of trigger ID for interactive "
                                                 "dialog.") from None
        return client, user_id

    # action cookies -----------------------------------------------------------------------------

    async def seal_cookie(self, cookie: PostActionCookie) -> str:
        _, secret = await self._load()
        nonce = os.urandom(12)
        sealed = AESGCM(secret).encrypt(nonce, msgspec.json.encode(cookie), None)
        return base64.b64encode(nonce + sealed).decode()

    async def open_cookie(self, value: str) -> PostActionCookie:
        """The cookie sealed by :meth:`seal_cookie`; 400 ``api.post.do_action.action_integration.app_error``
        when it was not made here or was changed."""
        _, secret = await self._load()
        try:
            raw = base64.b64decode(value, validate=True)
            plain = AESGCM(secret).decrypt(raw[:12], raw[12:], None)
            return msgspec.json.decode(plain, type=PostActionCookie)
        except Exception:
            raise AppError("DoPostAction", "api.post.do_action.action_integration.app_error",
                           "Action integration error.", 400, "invalid cookie") from None

    async def add_cookies(self, post: Post) -> Post:
        """Mattermost's AddPostActionCookies for a post clients get but the server does not keep (an
        ephemeral post): each action gets an id (when it has none) and a sealed cookie carrying what
        running it needs."""
        generate_action_ids(post.props)
        actions = actions_of(post.props)
        if not actions:
            return post
        retain = {k: post.props[k] for k in RETAIN_PROP_KEYS if k in post.props}
        remove = [k for k in RETAIN_PROP_KEYS if k not in post.props]
        for action in actions:
            integration = action.get("integration")
            cookie = PostActionCookie(
                type=str(action.get("type") or ""), post_id=post.id, root_post_id=post.root_id or post.id,
                channel_id=post.channel_id, data_source=str(action.get("data_source") or ""),
                integration=integration if isinstance(integration, dict) else None,
                retain_props=retain or None, remove_props=remove or None)
            action["cookie"] = await self.seal_cookie(cookie)
        return post
