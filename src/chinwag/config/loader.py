"""Load, validate and save config.json; apply MM_<SECTION>_<SETTING> environment overrides.

Environment overrides live only in memory: ``ConfigStore.save`` writes the file's own values for
every setting an environment variable pins, never the override.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import msgspec

from chinwag.config.schema import Config

DEFAULT_CONFIG_PATH = "./config/config.json"


class ConfigError(Exception):
    """A configuration problem, worded as one line naming the setting."""


def _section_fields(obj: msgspec.Struct) -> dict[str, str]:
    return {name.upper(): name for name in obj.__struct_fields__}


def _convert(value: str, current: Any, where: str) -> Any:
    """Parse an environment string into the type of the setting it overrides."""
    try:
        if isinstance(current, bool):
            low = value.strip().lower()
            if low in ("true", "1", "yes", "on"):
                return True
            if low in ("false", "0", "no", "off", ""):
                return False
            raise ValueError(f"not a boolean: {value!r}")
        if isinstance(current, int):
            return int(value.strip())
        if isinstance(current, list):
            return [v for v in value.split(" ") if v != ""]
        if isinstance(current, dict):
            parsed = json.loads(value) if value.strip() else {}
            if not isinstance(parsed, dict):
                raise ValueError("expected a JSON object")
            return parsed
        return value
    except ValueError as e:
        raise ConfigError(f"{where}: invalid value from environment: {e}") from None


def apply_env(cfg: Config, environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Apply MM_* overrides to ``cfg`` in place; return {section: {setting: True}} of those pinned."""
    pinned: dict[str, dict[str, Any]] = {}
    sections = _section_fields(cfg)
    for key, raw in environ.items():
        if not key.startswith("MM_"):
            continue
        rest = key[3:]
        sec_key, _, setting_key = rest.partition("_")
        sec_name = sections.get(sec_key)
        if sec_name is None or not setting_key:
            continue
        section = getattr(cfg, sec_name)
        fields = _section_fields(section)
        setting = fields.get(setting_key) or fields.get(setting_key.replace("_", ""))
        if setting is None:
            continue
        where = f"{sec_name}.{setting}"
        value = _convert(raw, getattr(section, setting), where)
        setattr(section, setting, value)
        pinned.setdefault(sec_name, {})[setting] = True
    return pinned


#: Mattermost's MySQL DataSource: ``user:pass@tcp(host:3306)/db?params`` (or ``unix(/path)``)
_MYSQL_DSN = re.compile(r"^(?:.*@)?(?:(?:tcp|unix)(?:\([^)]*\))?)?/[^/?]+(?:\?.*)?$")

_LISTEN = re.compile(r"^(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.\-]*):(?P<port>\d{1,5})$")


def parse_listen_address(addr: str) -> tuple[str, int]:
    """``host:port`` or ``:port`` → (host, port); an empty host listens on all interfaces."""
    m = _LISTEN.match(addr.strip())
    if not m:
        raise ConfigError(f"ServiceSettings.ListenAddress: {addr!r} is not host:port or :port")
    port = int(m.group("port"))
    if not 0 < port < 65536:
        raise ConfigError(f"ServiceSettings.ListenAddress: port {port} is out of range")
    host = m.group("host").strip("[]") or "0.0.0.0"
    return host, port


def validate(cfg: Config) -> None:
    s = cfg.ServiceSettings
    parse_listen_address(s.ListenAddress)
    if s.SiteURL:
        u = urlparse(s.SiteURL)
        if u.scheme not in ("http", "https") or not u.netloc:
            raise ConfigError(f"ServiceSettings.SiteURL: {s.SiteURL!r} must be an http(s) URL")
    if s.CollapsedThreads not in ("disabled", "default_on", "default_off", "always_on"):
        raise ConfigError(
            "ServiceSettings.CollapsedThreads: must be disabled, default_on, default_off or always_on"
        )
    for name in ("SessionLengthWebInHours", "SessionLengthMobileInHours", "SessionLengthSSOInHours"):
        if getattr(s, name) <= 0:
            raise ConfigError(f"ServiceSettings.{name}: must be a positive number of hours")
    sql = cfg.SqlSettings
    if sql.DriverName not in ("sqlite", "postgres", "mysql"):
        raise ConfigError(
            f"SqlSettings.DriverName: {sql.DriverName!r} is not supported (use sqlite, postgres or mysql)"
        )
    if not sql.DataSource:
        raise ConfigError("SqlSettings.DataSource: must not be empty")
    if sql.DriverName == "postgres":
        u = urlparse(sql.DataSource)
        if u.scheme not in ("postgres", "postgresql") or not (u.hostname or u.path):
            raise ConfigError("SqlSettings.DataSource: expected a postgres://user@host:port/database URL")
    elif sql.DriverName == "mysql":
        if "://" in sql.DataSource:
            u = urlparse(sql.DataSource)
            ok = u.scheme.split("+", 1)[0] in ("mysql", "mariadb") and bool(u.path.strip("/"))
        else:
            ok = _MYSQL_DSN.match(sql.DataSource) is not None
        if not ok:
            raise ConfigError("SqlSettings.DataSource: expected user:password@tcp(host:3306)/database?charset=utf8mb4"
                              " or a mysql://user:password@host:3306/database URL")
    elif "://" in sql.DataSource and not sql.DataSource.startswith("file:"):
        raise ConfigError(
            "SqlSettings.DataSource: for sqlite, give a file path (or set DriverName to postgres)"
        )
    if sql.MaxOpenConns <= 0:
        raise ConfigError("SqlSettings.MaxOpenConns: must be positive")
    f = cfg.FileSettings
    if f.DriverName not in ("local", "amazons3"):
        raise ConfigError(f"FileSettings.DriverName: {f.DriverName!r} is not local or amazons3")
    if f.MaxFileSize <= 0:
        raise ConfigError("FileSettings.MaxFileSize: must be positive")
    if f.DriverName == "local" and not f.Directory:
        raise ConfigError("FileSettings.Directory: must not be empty")
    t = cfg.TeamSettings
    if t.MaxUsersPerTeam <= 0:
        raise ConfigError("TeamSettings.MaxUsersPerTeam: must be positive")
    if t.MaxChannelsPerTeam <= 0:
        raise ConfigError("TeamSettings.MaxChannelsPerTeam: must be positive")
    if t.RestrictDirectMessage not in ("any", "team"):
        raise ConfigError("TeamSettings.RestrictDirectMessage: must be any or team")
    if cfg.PasswordSettings.MinimumLength < 5 or cfg.PasswordSettings.MinimumLength > 72:
        raise ConfigError("PasswordSettings.MinimumLength: must be between 5 and 72")
    e = cfg.EmailSettings
    if e.ConnectionSecurity not in ("", "TLS", "STARTTLS"):
        raise ConfigError("EmailSettings.ConnectionSecurity: must be empty, TLS or STARTTLS")
    if e.EmailNotificationContentsType not in ("full", "generic"):
        raise ConfigError("EmailSettings.EmailNotificationContentsType: must be full or generic")
    r = cfg.RateLimitSettings
    if r.Enable and (r.PerSec <= 0 or r.MaxBurst <= 0):
        raise ConfigError("RateLimitSettings.PerSec/MaxBurst: must be positive")
    sup = cfg.SupportSettings
    if sup.ReportAProblemType not in ("default", "link", "email", "hidden"):
        raise ConfigError("SupportSettings.ReportAProblemType: must be default, link, email or hidden")
    if sup.ForgotPasswordLink and not sup.ForgotPasswordLink.startswith(("https://", "http://", "/")):
        raise ConfigError("SupportSettings.ForgotPasswordLink: must be empty, an http(s) URL or a path on this site")
    _validate_localization(cfg)
    _validate_not_offered(cfg)


#: Mattermost settings that switch on what chinwag does not do: turning one on is refused, not ignored.
_NOT_OFFERED = (
    ("ExperimentalSettings", "ClientSideCertEnable"),
    ("ExperimentalSettings", "RestrictSystemAdmin"),
    ("ExperimentalSettings", "UseNewSAMLLibrary"),
    ("ExperimentalSettings", "EnableSharedChannels"),
    ("ExperimentalSettings", "EnableRemoteClusterService"),
    ("ElasticsearchSettings", "EnableIndexing"),
    ("ElasticsearchSettings", "EnableSearching"),
    ("ElasticsearchSettings", "EnableAutocomplete"),
    ("BleveSettings", "EnableIndexing"),
    ("BleveSettings", "EnableSearching"),
    ("BleveSettings", "EnableAutocomplete"),
    ("ComplianceSettings", "Enable"),
    ("ComplianceSettings", "EnableDaily"),
    ("DataRetentionSettings", "EnableMessageDeletion"),
    ("DataRetentionSettings", "EnableFileDeletion"),
    ("FeatureFlags", "EnableAIRecaps"),
)


def _validate_not_offered(cfg: Config) -> None:
    for section, name in _NOT_OFFERED:
        if getattr(getattr(cfg, section), name):
            raise ConfigError(f"{section}.{name}: not supported by chinwag; must be false")
    if not cfg.FeatureFlags.CollapsedThreads:
        raise ConfigError("FeatureFlags.CollapsedThreads: collapsed threads are always available; "
                          "use ServiceSettings.CollapsedThreads to turn them off")


_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


def _validate_localization(cfg: Config) -> None:
    """As Mattermost: both default locales are locale codes, and the clients' default is one of
    AvailableLocales when that list is set."""
    loc = cfg.LocalizationSettings
    for name in ("DefaultServerLocale", "DefaultClientLocale"):
        if not _LOCALE.match(getattr(loc, name)):
            raise ConfigError(f"LocalizationSettings.{name}: {getattr(loc, name)!r} is not a locale code such as en or zh-CN")
    available = [c.strip() for c in loc.AvailableLocales.split(",") if c.strip()]
    if any(not _LOCALE.match(c) for c in available):
        raise ConfigError("LocalizationSettings.AvailableLocales: a comma-separated list of locale codes, or empty for all")
    if available and loc.DefaultClientLocale not in available:
        raise ConfigError("LocalizationSettings.AvailableLocales: must include DefaultClientLocale")


def decode_config(raw: bytes, where: str) -> Config:
    try:
        return msgspec.json.decode(raw, type=Config)
    except msgspec.DecodeError as e:
        raise ConfigError(f"{where}: invalid config: {_explain(e)}") from None


def convert_config(data: Any, where: str = "config") -> Config:
    """A Config from already-parsed JSON (missing sections and settings take their defaults)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a JSON object")
    try:
        return msgspec.convert(data, type=Config)
    except msgspec.ValidationError as e:
        raise ConfigError(_explain(e)) from None


def _explain(e: msgspec.DecodeError) -> str:
    msg = str(e)
    m = re.search(r"at `\$\.(\w+)\.(\w+)", msg)
    if m:
        return f"{m.group(1)}.{m.group(2)}: {msg.split(' - at')[0]}"
    m = re.search(r"at `\$\.(\w+)`", msg)
    if m:
        return f"{m.group(1)}: {msg.split(' - at')[0]}"
    return msg


def to_dict(cfg: Config) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.to_builtins(cfg)
    return result


class ConfigStore:
    """Holds the effective config (file + environment) and the file's own values."""

    def __init__(
        self, path: str | None, environ: Mapping[str, str] | None = None, read_only: bool = False
    ) -> None:
        self.path = Path(path or os.environ.get("MM_CONFIG") or DEFAULT_CONFIG_PATH)
        self.environ = dict(os.environ if environ is None else environ)
        self.read_only = read_only
        self.file_config = Config()
        self.effective = Config()
        self.pinned: dict[str, dict[str, Any]] = {}
        self.listeners: list[Any] = []
        #: the file did not exist when this process first loaded it (a new node or pod)
        self.created = False

    def load(self) -> Config:
        if self.path.exists():
            try:
                raw = self.path.read_bytes()
            except OSError as e:
                raise ConfigError(f"{self.path}: cannot read config: {e.strerror}") from None
            file_cfg = decode_config(raw, str(self.path))
            new_file = False
        else:
            file_cfg = Config()
            new_file = True
        effective = msgspec.convert(to_dict(file_cfg), Config)
        pinned = apply_env(effective, self.environ)
        validate(effective)
        self.file_config, self.effective, self.pinned = file_cfg, effective, pinned
        self.created = self.created or new_file
        if new_file and not self.read_only:
            self._write(file_cfg)
        return effective

    def _write(self, cfg: Config) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(to_dict(cfg), indent=4).encode() + b"\n"
        fd, tmp = tempfile.mkstemp(prefix=".config.", dir=str(self.path.parent))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def environment_map(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.pinned.items()}

    def is_pinned(self, section: str, setting: str) -> bool:
        return bool(self.pinned.get(section, {}).get(setting))

    def env_var(self, section: str, setting: str) -> str:
        """The MM_* variable that pins ``section.setting`` (as it appears in the environment)."""
        for key in self.environ:
            if not key.startswith("MM_"):
                continue
            sec_key, _, setting_key = key[3:].partition("_")
            if sec_key == section.upper() and setting_key.replace("_", "") == setting.upper():
                return key
        return f"MM_{section.upper()}_{setting.upper()}"

    def pinned_changes(self, new: Config) -> list[str]:
        """``Section.Setting`` names whose value in ``new`` differs from the environment's pin."""
        new_dict, current = to_dict(new), to_dict(self.effective)
        return [f"{section}.{setting}" for section, settings in self.pinned.items() for setting in settings
                if new_dict[section][setting] != current[section][setting]]

    def set_config(self, new: Config) -> Config:
        """Validate and persist ``new`` (effective values); pinned settings keep the file's values."""
        validate(new)
        new_dict = to_dict(new)
        file_dict = to_dict(self.file_config)
        for section, settings in self.pinned.items():
            for setting in settings:
                new_dict[section][setting] = file_dict[section][setting]
        return self.set_file_config(new_dict)

    def set_file_config(self, file_dict: dict[str, Any]) -> Config:
        """Take ``file_dict`` as the file's values (e.g. from another node): apply this process's
        environment, validate, write the file if it changed, tell the listeners."""
        file_cfg = convert_config(file_dict)
        effective = msgspec.convert(to_dict(file_cfg), Config)
        apply_env(effective, self.environ)
        validate(effective)
        if not self.read_only and to_dict(file_cfg) != self._on_disk():
            self._write(file_cfg)
        self.file_config, self.effective = file_cfg, effective
        self._notify()
        return effective

    def _on_disk(self) -> dict[str, Any] | None:
        try:
            return to_dict(decode_config(self.path.read_bytes(), str(self.path)))
        except (OSError, ConfigError):
            return None

    def reload(self) -> Config:
        """Read the file again (and the environment captured at start); tell the listeners."""
        effective = self.load()
        self._notify()
        return effective

    def _notify(self) -> None:
        for listener in self.listeners:
            listener(self.effective)


def load_config(path: str | None = None, environ: Mapping[str, str] | None = None) -> ConfigStore:
    store = ConfigStore(path, environ)
    store.load()
    return store
