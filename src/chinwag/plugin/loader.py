"""Importing a plugin's server code (in its own process, ``runner.py``): the bundle's ``server.executable``
is loaded as a module of a package made for it, so the plugin's other files import relatively."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

from chinwag.plugin import Plugin
from chinwag.plugin.manifest import ManifestError

PACKAGE = "chinwag_plugin"


def load_plugin_class(bundle: Path, executable: str) -> type[Plugin]:
    exe = (bundle / executable).resolve()
    if not executable or not exe.is_file() or bundle.resolve() not in exe.parents:
        raise ManifestError(f"server.executable {executable!r} is not a file in the bundle")
    pkg = types.ModuleType(PACKAGE)
    pkg.__path__ = [str(exe.parent)]
    sys.modules[PACKAGE] = pkg
    spec = importlib.util.spec_from_file_location(f"{PACKAGE}.{exe.stem}", exe)
    if spec is None or spec.loader is None:
        raise ManifestError(f"cannot load {executable}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    found = [v for v in vars(module).values()
             if isinstance(v, type) and issubclass(v, Plugin) and v is not Plugin and v.__module__ == spec.name]
    if not found:
        raise ManifestError(f"{executable} defines no subclass of chinwag.plugin.Plugin")
    return found[-1]
