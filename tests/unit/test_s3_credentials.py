"""S3 credentials (``filestore/credentials.py``): the configured keys, else the standard AWS chain —
environment, web identity (IRSA), shared files, container, EC2 instance metadata (IMDSv2) — against a
fake metadata/STS endpoint on loopback (``tests/aws_metadata.py``) and the moto S3 server, with refresh
before expiry and the old credentials kept while a refresh fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chinwag.filestore.base import FileBackendError
from chinwag.filestore.credentials import REFRESH_MARGIN_S, CredentialChain, CredentialsError
from chinwag.filestore.s3 import S3Backend
from tests.aws_metadata import FakeAws
from tests.files_support import moto_endpoint, new_bucket, s3_settings  # noqa: F401 (fixture)

#: the environment of a machine with no AWS settings at all (no ~/.aws, metadata endpoint closed)
CLOSED = "http://127.0.0.1:1"


@pytest.fixture
def fake() -> Iterator[FakeAws]:
    with FakeAws() as f:
        yield f


def bare_env(tmp_path: Any, **kw: str) -> dict[str, str]:
    return {"HOME": str(tmp_path), "AWS_EC2_METADATA_SERVICE_ENDPOINT": CLOSED, **kw}


class Clock:
    def __init__(self) -> None:
        import time

        self.t = time.time()

    def __call__(self) -> float:
        return self.t


def keyless_s3(endpoint: str, bucket: str, chain: CredentialChain) -> tuple[S3Backend, list[httpx.Request]]:
    """An S3 backend with no keys in its settings, recording every request it sends."""
    b = S3Backend(s3_settings(endpoint, bucket, AmazonS3AccessKeyId="", AmazonS3SecretAccessKey=""),
                  credential_chain=chain)
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    b._http.event_hooks["request"].append(record)
    return b, sent


async def test_configured_keys_come_first(tmp_path: Any) -> None:
    chain = CredentialChain("AKIACONFIG", "s", environ=bare_env(tmp_path, AWS_ACCESS_KEY_ID="AKIAENV",
                                                                 AWS_SECRET_ACCESS_KEY="e"))
    creds = await chain.get()
    assert creds is not None and (creds.access_key, creds.session_token, creds.source) == ("AKIACONFIG", "", "config")


async def test_environment(tmp_path: Any) -> None:
    chain = CredentialChain(environ=bare_env(tmp_path, AWS_ACCESS_KEY_ID="AKIAENV", AWS_SECRET_ACCESS_KEY="e",
                                             AWS_SESSION_TOKEN="tok"))
    creds = await chain.get()
    assert creds is not None and (creds.access_key, creds.secret_key, creds.session_token) == ("AKIAENV", "e", "tok")
    assert creds.source == "environment" and creds.expires_at is None


async def test_shared_credentials_and_config_profiles(tmp_path: Any) -> None:
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text("[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n")
    (aws / "config").write_text("[profile ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = o\n"
                                "aws_session_token = opstoken\nregion = eu-west-1\n")
    creds = await CredentialChain(environ=bare_env(tmp_path)).get()
    assert creds is not None and (creds.access_key, creds.source) == ("AKIADEFAULT", "shared-file")
    creds = await CredentialChain(environ=bare_env(tmp_path, AWS_PROFILE="ops")).get()
    assert creds is not None and (creds.access_key, creds.session_token) == ("AKIAOPS", "opstoken")
    other = tmp_path / "elsewhere.ini"
    other.write_text("[ops]\naws_access_key_id = AKIAFILE\naws_secret_access_key = f\n")
    creds = await CredentialChain(environ=bare_env(tmp_path, AWS_PROFILE="ops",
                                                   AWS_SHARED_CREDENTIALS_FILE=str(other))).get()
    assert creds is not None and creds.access_key == "AKIAFILE"


async def test_nothing_anywhere_means_unsigned_requests(tmp_path: Any) -> None:
    chain = CredentialChain(environ=bare_env(tmp_path))
    assert await chain.get() is None
    disabled = CredentialChain(environ={"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"})
    assert await disabled.get() is None
    await chain.aclose()


async def test_instance_metadata_imdsv2_signs_s3_requests(tmp_path: Any, fake: FakeAws, moto_endpoint: str) -> None:  # noqa: F811
    chain = CredentialChain(environ=bare_env(tmp_path, AWS_EC2_METADATA_SERVICE_ENDPOINT=fake.url))
    b, sent = keyless_s3(moto_endpoint, new_bucket(), chain)
    await b.create_bucket()
    await b.write_file("a/b.txt", b"hello")
    assert await b.read_file("a/b.txt") == b"hello"
    # a session token first, then the role, then its credentials — and only once for all those requests
    assert fake.calls == [("PUT", "/latest/api/token"), ("GET", "/latest/meta-data/iam/security-credentials/"),
                          ("GET", f"/latest/meta-data/iam/security-credentials/{'chinwag-role'}")]
    _, key, token, _ = fake.issued[0]
    assert sent and all(f"Credential={key}/" in r.headers["Authorization"] for r in sent)
    assert all(r.headers["x-amz-security-token"] == token for r in sent)
    assert b.describe()["credentials"] == "instance-metadata"
    await b.close()


async def test_temporary_credentials_are_refreshed_before_they_expire(tmp_path: Any, fake: FakeAws) -> None:
    clock = Clock()
    chain = CredentialChain(environ=bare_env(tmp_path, AWS_EC2_METADATA_SERVICE_ENDPOINT=fake.url), clock=clock)
    first = await chain.get()
    assert first is not None and first.access_key == "ASIAIMDS1" and first.expires_at is not None
    clock.t = first.expires_at - REFRESH_MARGIN_S - 60  # not yet due: no request
    assert await chain.get() == first and len(fake.issued) == 1
    clock.t = first.expires_at - REFRESH_MARGIN_S + 1
    second = await chain.get()
    assert second is not None and second.access_key == "ASIAIMDS2" and len(fake.issued) == 2
    await chain.aclose()


async def test_a_failed_refresh_keeps_valid_credentials_until_they_expire(
        tmp_path: Any, fake: FakeAws, moto_endpoint: str) -> None:  # noqa: F811
    clock = Clock()
    chain = CredentialChain(environ=bare_env(tmp_path, AWS_EC2_METADATA_SERVICE_ENDPOINT=fake.url), clock=clock)
    b, _ = keyless_s3(moto_endpoint, new_bucket(), chain)
    await b.create_bucket()
    first = chain.current
    assert first is not None and first.expires_at is not None
    fake.fail = True
    clock.t = first.expires_at - 60  # due for refresh; the metadata service is down
    await b.write_file("still.txt", b"ok")
    assert chain.current == first
    clock.t = first.expires_at + 1  # expired, and still no way to get new ones: a clear error, not unsigned
    with pytest.raises(FileBackendError, match="instance metadata"):
        await b.write_file("late.txt", b"no")
    fake.fail = False
    clock.t += 11  # the chain tries again shortly after
    await b.write_file("back.txt", b"yes")
    assert chain.current is not None and chain.current.access_key == "ASIAIMDS2"
    await b.close()


async def test_container_credentials(tmp_path: Any, fake: FakeAws, moto_endpoint: str) -> None:  # noqa: F811
    token_file = tmp_path / "token"
    token_file.write_text(fake.container_token + "\n")
    env = bare_env(tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=f"{fake.url}/container/credentials",
                   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token_file))
    chain = CredentialChain(environ=env)
    b, sent = keyless_s3(moto_endpoint, new_bucket(), chain)
    await b.create_bucket()
    await b.write_file("c.txt", b"container")
    assert [k for k, *_ in fake.issued] == ["ecs"]
    assert all("Credential=ASIAECS1/" in r.headers["Authorization"] for r in sent)
    await b.close()
    wrong = CredentialChain(environ={**env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "",
                                     "AWS_CONTAINER_AUTHORIZATION_TOKEN": "nope"})
    with pytest.raises(CredentialsError, match="answered 403"):
        await wrong.get()
    remote = CredentialChain(environ=bare_env(tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://example.com/c"))
    with pytest.raises(CredentialsError, match="must be https"):
        await remote.get()


async def test_web_identity_reads_the_rotated_token_on_refresh(
        tmp_path: Any, fake: FakeAws, moto_endpoint: str) -> None:  # noqa: F811
    token_file = tmp_path / "irsa-token"
    token_file.write_text("jwt-one")
    fake.web_identity_token = "jwt-one"
    clock = Clock()
    env = bare_env(tmp_path, AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file), AWS_ROLE_ARN=fake.role_arn,
                   AWS_ENDPOINT_URL_STS=f"{fake.url}/sts")
    chain = CredentialChain(environ=env, clock=clock)
    b, sent = keyless_s3(moto_endpoint, new_bucket(), chain)
    await b.create_bucket()
    await b.write_file("w.txt", b"irsa")
    assert chain.current is not None and (chain.current.access_key, chain.current.source) == (
        "ASIASTS1", "web-identity")
    assert all(r.headers["x-amz-security-token"] == "token-sts-1" for r in sent)
    # Kubernetes rotates the projected token; the next refresh presents the new one
    token_file.write_text("jwt-two")
    fake.web_identity_token = "jwt-two"
    clock.t = chain.current.expires_at - REFRESH_MARGIN_S + 1  # type: ignore[operator]
    assert await b.read_file("w.txt") == b"irsa"
    assert chain.current.access_key == "ASIASTS2"
    await b.close()
    fake.web_identity_token = "someone-else"
    refused = CredentialChain(environ=env)
    with pytest.raises(CredentialsError, match="AccessDenied"):
        await refused.get()


def test_the_environment_is_read_from_the_process_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAPROC")
    assert CredentialChain().env is os.environ
