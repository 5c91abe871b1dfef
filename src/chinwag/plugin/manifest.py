"""A plugin's manifest: ``plugin.json`` (or ``plugin.yaml``) at the top of its bundle, in the shape of
Mattermost's (id, name, version, min_server_version, server, webapp, settings_schema, …). chinwag's
``server.executable`` is a Python file inside the bundle rather than a Go binary."""

from __future__ import annotations

import re
from typing import Any

import msgspec

#: Mattermost's plugin id rule: 3–190 characters of letters, digits, ``.``, ``-`` and ``_``
ID_RE = re.compile(r"^[a-zA-Z0-9.\-_]{3,190}$")
VERSION_RE = re.compile(r"^v?\d+(\.\d+){0,2}([-+][0-9A-Za-z.\-]+)?$")


class ManifestError(ValueError):
    """The manifest is missing, unreadable or invalid."""


class ManifestServer(msgspec.Struct, kw_only=True, omit_defaults=True):
    executable: str = ""
    executables: dict[str, str] = msgspec.field(default_factory=dict)


class ManifestWebapp(msgspec.Struct, kw_only=True, omit_defaults=True):
    bundle_path: str = ""


class Manifest(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    name: str = ""
    description: str = ""
    homepage_url: str = ""
    support_url: str = ""
    release_notes_url: str = ""
    icon_path: str = ""
    version: str = ""
    min_server_version: str = ""
    server: ManifestServer | None = None
    webapp: ManifestWebapp | None = None
    settings_schema: dict[str, Any] | None = None
    props: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out

    def defaults(self) -> dict[str, Any]:
        """The settings' default values from ``settings_schema`` (keys lower-cased, as Mattermost keeps
        ``PluginSettings.Plugins.<id>``)."""
        out: dict[str, Any] = {}
        for s in (self.settings_schema or {}).get("settings") or []:
            if isinstance(s, dict) and s.get("key") and "default" in s:
                out[str(s["key"]).lower()] = s["default"]
        return out


def parse_manifest(raw: bytes, name: str = "plugin.json") -> Manifest:
    """Decode and check a manifest (JSON, or YAML for ``plugin.yaml``)."""
    try:
        if name.endswith((".yaml", ".yml")):
            m = msgspec.yaml.decode(raw, type=Manifest)
        else:
            m = msgspec.json.decode(raw, type=Manifest)
    except (msgspec.ValidationError, msgspec.DecodeError) as e:
        raise ManifestError(f"{name}: {e}") from None
    except ImportError:  # msgspec reads YAML through PyYAML
        raise ManifestError(f"{name}: reading plugin.yaml needs PyYAML; use plugin.json") from None
    if not ID_RE.match(m.id):
        raise ManifestError(f"{name}: invalid plugin id {m.id!r}")
    if m.version and not VERSION_RE.match(m.version):
        raise ManifestError(f"{name}: invalid version {m.version!r}")
    if m.min_server_version and not VERSION_RE.match(m.min_server_version):
        raise ManifestError(f"{name}: invalid min_server_version {m.min_server_version!r}")
    if m.server is not None and m.server.executable:
        exe = m.server.executable
        if exe.startswith("/") or ".." in exe.split("/") or not exe.endswith(".py"):
            raise ManifestError(f"{name}: server.executable must be a .py file inside the bundle")
    return m


def version_tuple(v: str) -> tuple[int, ...]:
    core = re.split(r"[-+]", v.lstrip("v"), maxsplit=1)[0]
    return tuple(int(p) for p in core.split(".") if p.isdigit())
