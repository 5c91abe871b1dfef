"""Mattermost-style configuration: config.json sections, MM_<SECTION>_<SETTING> overrides."""

from chinwag.config.loader import ConfigError, ConfigStore, load_config
from chinwag.config.schema import Config

__all__ = ["Config", "ConfigError", "ConfigStore", "load_config"]
