"""AWS Signature Version 4 for S3 requests (header-based signing).

Implemented from the published algorithm: canonical request → string to sign → HMAC-SHA256 with a
key derived from the secret, date, region and service. S3 specifics: the path is URI-encoded once
(``/`` kept) and the payload hash is sent in ``x-amz-content-sha256``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
ALGORITHM = "AWS4-HMAC-SHA256"


def uri_encode(value: str, keep_slash: bool = False) -> str:
    return quote(value, safe="/~" if keep_slash else "~")


def canonical_query(params: Mapping[str, str]) -> str:
    pairs = sorted((uri_encode(k), uri_encode(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str = "s3") -> bytes:
    k = _hmac(("AWS4" + secret).encode(), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def sign(
    method: str,
    host: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    payload_hash: str,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    session_token: str = "",
    service: str = "s3",
    now: datetime | None = None,
) -> dict[str, str]:
    """Return the headers to add to the request (``Authorization``, ``x-amz-date``,
    ``x-amz-content-sha256`` and, with temporary credentials, ``x-amz-security-token``).

    ``path`` is the raw (unencoded) path; ``headers`` the other headers to sign (``host`` and every
    ``x-amz-*`` header are always signed)."""
    t = (now or datetime.now(UTC)).astimezone(UTC)
    amz_date = t.strftime("%Y%m%dT%H%M%SZ")
    date = t.strftime("%Y%m%d")
    added = {"x-amz-date": amz_date, "x-amz-content-sha256": payload_hash}
    if session_token:
        added["x-amz-security-token"] = session_token
    to_sign = {k.lower(): " ".join(str(v).strip().split()) for k, v in headers.items()}
    to_sign.update(added)
    to_sign["host"] = host
    names = sorted(to_sign)
    canonical_headers = "".join(f"{n}:{to_sign[n]}\n" for n in names)
    signed_headers = ";".join(names)
    canonical_request = "\n".join(
        [
            method.upper(),
            uri_encode(path, keep_slash=True) or "/",
            canonical_query(query),
            canonical_headers,
            signed_headers,
            payload_hash,
        ]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    signature = hmac.new(
        signing_key(secret_key, date, region, service), string_to_sign.encode(), hashlib.sha256
    ).hexdigest()
    added["Authorization"] = (
        f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    )
    return added
