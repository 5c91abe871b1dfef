"""The `chinwag` command without paying Python's start and chinwag's imports on every call: one helper
process per test module imports the CLI once, then forks a child per command. The child is a process of
its own (fresh globals, its own environment, working directory, stdin, stdout and stderr files, a real
exit code) that runs what the installed `chinwag` script runs (`chinwag.cli.main.main`), so a command sees
what it sees as the binary; only the interpreter's start-up is shared. The binary itself is still run as a
real process by the tests that ask for it (``LocalServer.run(..., real=True)``, the local-mode and
websocket tests).

Protocol on the helper's stdin/stdout: one JSON request per line ``{"argv", "env", "cwd", "stdin", "out",
"err"}`` (paths of files), one answer per line: the child's exit code."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Any

_CHILD = r"""
import json, os, signal, sys

import chinwag.cli.main  # what every command imports; loaded once, before any fork
import chinwag.cli.mmctl.client  # noqa: F401  (the HTTP client the mmctl commands use)
# what a command imports on its way (typer's parameter adapters pull in pydantic: most of a command's time)
import csv, hmac, secrets, zipfile, zoneinfo  # noqa: E401, F401
import anyio, certifi, h11, httpcore, httpx, pydantic, typer._adapters, typer._click.decorators  # noqa: E401, F401

def child(req):
    signal.alarm(120)  # as the binary's runs: a command hanging fails its test, not the whole module
    os.environ.clear()
    os.environ.update(req["env"])
    os.chdir(req["cwd"])
    fd_in = os.open(req["stdin"], os.O_RDONLY)
    fd_out = os.open(req["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    fd_err = os.open(req["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for fd, target in ((fd_in, 0), (fd_out, 1), (fd_err, 2)):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = open(0, "r", closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    sys.argv = list(req["argv"])
    code = 0
    try:
        chinwag.cli.main.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, (int, type(None))):
            print(e.code, file=sys.stderr)
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)

for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        child(req)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    sys.stdout.write(f"{code}\n")
    sys.stdout.flush()
"""


class ForkServer:
    """One helper process; ``run`` is safe from one thread at a time (a lock keeps requests in order)."""

    def __init__(self, env: dict[str, str]) -> None:
        self._proc = subprocess.Popen([sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True, env=env)
        self._lock = threading.Lock()

    def run(self, argv: list[str], env: dict[str, str], cwd: str, stdin: str, out: str, err: str) -> int:
        req: dict[str, Any] = {"argv": argv, "env": env, "cwd": cwd, "stdin": stdin, "out": out, "err": err}
        with self._lock:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write(json.dumps(req) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the CLI fork server exited ({self._proc.poll()})")
        return int(line)

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
