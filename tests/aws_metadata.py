"""A fake of the AWS endpoints that hand out temporary credentials, on loopback, in a thread: EC2 instance
metadata (IMDSv2: a session token first, then the role's credentials), an ECS/EKS container credentials
endpoint (checks the Authorization token) and STS ``AssumeRoleWithWebIdentity`` (checks the web identity
token). Every credential it issues is new (``ASIA<KIND><n>``) and expires ``ttl`` seconds later; set
``fail = True`` to make every endpoint answer 500."""

from __future__ import annotations

import json
import secrets
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ROLE = "chinwag-role"


class FakeAws:
    def __init__(self, ttl: float = 3600.0) -> None:
        self.ttl = ttl
        self.fail = False
        self.container_token = "container-secret"
        self.web_identity_token = ""
        self.role_arn = "arn:aws:iam::123456789012:role/chinwag"
        self.imds_tokens: set[str] = set()
        #: (method, path) of every request, in order
        self.calls: list[tuple[str, str]] = []
        #: credentials issued, in order: (kind, access key, session token, expiration epoch seconds)
        self.issued: list[tuple[str, str, str, float]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAws:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def issue(self, kind: str) -> dict[str, str]:
        with self._lock:
            n = len(self.issued) + 1
            expires = time.time() + self.ttl
            key, token = f"ASIA{kind.upper()}{n}", f"token-{kind}-{n}"
            self.issued.append((kind, key, token, expires))
        return {"AccessKeyId": key, "SecretAccessKey": f"secret-{kind}-{n}", "Token": token,
                "Expiration": datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: str | bytes, content_type: str = "text/plain") -> None:
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                fake.calls.append((method, self.path))
                if fake.fail:
                    return self._send(500, "broken")
                if method == "PUT" and self.path == "/latest/api/token":
                    if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                        return self._send(400, "missing ttl")
                    token = secrets.token_hex(8)
                    fake.imds_tokens.add(token)
                    return self._send(200, token)
                if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
                    if self.headers.get("X-aws-ec2-metadata-token") not in fake.imds_tokens:
                        return self._send(401, "IMDSv2 token required")
                    role = self.path.rsplit("/", 1)[1]
                    if not role:
                        return self._send(200, ROLE)
                    if role != ROLE:
                        return self._send(404, "no such role")
                    return self._send(200, json.dumps({"Code": "Success", "Type": "AWS-HMAC",
                                                       **fake.issue("imds")}), "application/json")
                if self.path == "/container/credentials":
                    if self.headers.get("Authorization") != fake.container_token:
                        return self._send(403, "bad token")
                    return self._send(200, json.dumps(fake.issue("ecs")), "application/json")
                if method == "POST" and self.path == "/sts":
                    length = int(self.headers.get("Content-Length") or 0)
                    form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                    if (form.get("Action") != "AssumeRoleWithWebIdentity" or form.get("RoleArn") != fake.role_arn
                            or form.get("WebIdentityToken") != fake.web_identity_token):
                        return self._send(403, "<ErrorResponse><Error><Code>AccessDenied</Code>"
                                               "<Message>Not authorized</Message></Error></ErrorResponse>",
                                          "text/xml")
                    c = fake.issue("sts")
                    return self._send(200, (
                        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                        "<AssumeRoleWithWebIdentityResult><Credentials>"
                        f"<AccessKeyId>{c['AccessKeyId']}</AccessKeyId>"
                        f"<SecretAccessKey>{c['SecretAccessKey']}</SecretAccessKey>"
                        f"<SessionToken>{c['Token']}</SessionToken><Expiration>{c['Expiration']}</Expiration>"
                        "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"),
                        "text/xml")
                return self._send(404, "not found")

            def do_GET(self) -> None:
                self._route("GET")

            def do_PUT(self) -> None:
                self._route("PUT")

            def do_POST(self) -> None:
                self._route("POST")

        return Handler
