"""A real `chinwag serve` in local mode (unix socket in a private directory), once per test module,
and a way to run the installed `chinwag` binary against it as a person would."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.cli.forkserver import ForkServer
from tests.procs import CHINWAG, ServerProcess, sqlite_env, workdir

#: CHINWAG_TEST_REAL_CLI=1: every command through the installed binary (as before the fork server)
REAL_CLI = os.environ.get("CHINWAG_TEST_REAL_CLI") == "1"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class LocalServer:
    proc: ServerProcess
    socket: str
    home: str
    forks: ForkServer | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment for the CLI: its own HOME/XDG config dir, local mode off unless asked."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MM_", "MMCTL_"))}
        env.update({"HOME": self.home, "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
                    "MMCTL_LOCAL_SOCKET_PATH": self.socket})
        env.update(extra)
        return env

    def run(self, *args: str, local: bool = True, env: dict[str, str] | None = None,
            input: str | None = None, real: bool = False) -> Result:
        """``chinwag <args> [--local]``: the installed binary when ``real``, else a child forked from the
        module's fork server (the same entry point, without Python's start-up on every command)."""
        cmd = [CHINWAG, *args]
        if local:
            cmd.append("--local")
        if real or self.forks is None or REAL_CLI:
            p = subprocess.run(cmd, capture_output=True, text=True, env=env or self.env(), input=input,
                               timeout=120, cwd=self.home)
            return Result(p.returncode, p.stdout, p.stderr)
        with tempfile.TemporaryDirectory(prefix="chinwag-cli-") as tmp:
            files = {name: os.path.join(tmp, name) for name in ("in", "out", "err")}
            with open(files["in"], "w") as f:
                f.write(input or "")
            code = self.forks.run(cmd, env or self.env(), self.home, files["in"], files["out"], files["err"])
            with open(files["out"]) as o, open(files["err"]) as e:
                return Result(code, o.read(), e.read())

    def ok(self, *args: str, **kw: Any) -> Result:
        r = self.run(*args, **kw)
        assert r.code == 0, f"chinwag {' '.join(args)} failed ({r.code}): {r.err}{r.out}"
        return r

    def ok_json(self, *args: str, **kw: Any) -> Any:
        return self.ok(*args, "--json", **kw).json()

    def fails(self, *args: str, **kw: Any) -> Result:
        r = self.run(*args, **kw)
        assert r.code != 0, f"chinwag {' '.join(args)} should have failed: {r.out}"
        assert r.err.strip(), "a failing command says why on stderr"
        assert "Traceback" not in r.err, r.err
        return r


def start_local_server(**env: str) -> tuple[ServerProcess, str, str]:
    wd = workdir()
    os.chmod(wd, 0o700)
    sock = os.path.join(wd, "chinwag_local.socket")
    proc = ServerProcess({**sqlite_env(wd), "MM_SERVICESETTINGS_ENABLELOCALMODE": "true",
                          "MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION": sock,
                          "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5", **env}, wd).start()
    home = os.path.join(wd, "home")
    os.makedirs(home)
    return proc, sock, home


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    proc, sock, home = start_local_server()
    forks = ForkServer(dict(os.environ))
    try:
        yield LocalServer(proc, sock, home, forks)
    finally:
        forks.close()
        proc.stop()
