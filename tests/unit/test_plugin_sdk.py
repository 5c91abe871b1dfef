"""The plugin SDK's pure parts: manifests (JSON and YAML, checks), bundles read from a tarball, and the
RPC codec (only the SDK's types rebuilt, errors carried across)."""

from __future__ import annotations

import pytest

from chinwag.app.plugins import read_bundle
from chinwag.model.errors import AppError
from chinwag.model.integration import CommandResponse
from chinwag.model.post import Post
from chinwag.plugin import Context, HTTPRequest
from chinwag.plugin.manifest import ManifestError, parse_manifest, version_tuple
from chinwag.plugin.rpc import RemoteError, _error, _raise, decode_value, encode_value
from tests.plugins.bundles import REJECT, bundle


def test_manifest_json_and_yaml() -> None:
    m = parse_manifest(b'{"id": "com.example.x", "name": "X", "version": "1.2.3", '
                       b'"server": {"executable": "server/plugin.py"}, '
                       b'"settings_schema": {"settings": [{"key": "Token", "default": "abc"}, {"key": "Off"}]}}')
    assert m.id == "com.example.x" and m.server is not None and m.server.executable == "server/plugin.py"
    assert m.defaults() == {"token": "abc"}
    y = parse_manifest(b"id: com.example.y\nversion: v2.0.0\nserver:\n  executable: main.py\n", "plugin.yaml")
    assert y.id == "com.example.y" and y.version == "v2.0.0"
    assert version_tuple("v10.11.0-rc1") == (10, 11, 0)


@pytest.mark.parametrize("raw", [
    b'{"id": "x"}',  # too short an id
    b'{"id": "has space"}',
    b'{"id": "com.example.ok", "version": "one"}',
    b'{"id": "com.example.ok", "server": {"executable": "../escape.py"}}',
    b'{"id": "com.example.ok", "server": {"executable": "/abs/plugin.py"}}',
    b'{"id": "com.example.ok", "server": {"executable": "plugin.exe"}}',
    b'{"name": "no id"}',
    b'not json',
])
def test_bad_manifests(raw: bytes) -> None:
    with pytest.raises(ManifestError):
        parse_manifest(raw)


def test_bundle_with_and_without_a_top_folder() -> None:
    m, root = read_bundle(bundle("com.example.censor", REJECT))
    assert m.id == "com.example.censor" and root == "com.example.censor"
    m, root = read_bundle(bundle("com.example.censor", REJECT, folder=False))
    assert m.id == "com.example.censor" and root == ""
    with pytest.raises(AppError) as e:
        read_bundle(b"\x1f\x8b not really gzip")
    assert e.value.id == "app.plugin.extract.app_error"


def test_rpc_codec_round_trip() -> None:
    post = Post(id="p" * 26, message="hi", props={"a": [1, {"b": None}]}, file_ids=["f"])
    value = (post, "", [Context(user_id="u"), HTTPRequest("GET", "/x", body=b"\x00\xff")],
             {"n": 1, "r": CommandResponse(text="t", extra_responses=[CommandResponse(text="u")])})
    back = decode_value(encode_value(value))
    assert back == value
    assert decode_value({"k": {"__t": "Post", "v": {"id": "x"}, "extra": 1}}) == \
        {"k": {"__t": "Post", "v": {"id": "x"}, "extra": 1}}  # only an exact tag object is a value
    with pytest.raises(RemoteError):
        decode_value({"__t": "os.system", "v": {}})
    with pytest.raises(TypeError):
        encode_value(object())


def test_rpc_errors_cross() -> None:
    with pytest.raises(AppError) as e:
        _raise(_error(AppError("where", "app.x.error", "Nope.", 403, "detail")))
    assert (e.value.id, e.value.status_code, e.value.message, e.value.detailed_error) == \
        ("app.x.error", 403, "Nope.", "detail")
    with pytest.raises(RemoteError, match="ValueError: bad"):
        _raise(_error(ValueError("bad")))
