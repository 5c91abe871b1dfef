"""deploy/chinwag.service, as far as a machine without systemd as PID 1 allows: `systemd-analyze verify`
(Debian's systemd) finds no problem with it, and its ExecStart, run the way systemd would run it (the
unit's Environment, WorkingDirectory, StateDirectory and RuntimeDirectory created with their modes;
every absolute path moved under a temporary root), starts a server that answers on the documented
address and local-mode socket and writes only where the unit lets it write (ProtectSystem=strict).
What is not tested here: starting it under a real systemd (User=chinwag, the sandboxing itself)."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.procs import CHINWAG, ROOT, free_port, workdir

UNIT = ROOT / "deploy" / "chinwag.service"
VENV_CHINWAG = "/opt/chinwag/venv/bin/chinwag"
ANALYZE = shutil.which("systemd-analyze")


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections → (key, value) in order (systemd allows a key several times, e.g. Environment)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        key, _, value = line.partition("=")
        sections[current].append((key.strip(), value.strip()))
    return sections


def one(section: list[tuple[str, str]], key: str) -> str:
    values = [v for k, v in section if k == key]
    assert len(values) == 1, f"{key}: expected once, found {values}"
    return values[0]


@pytest.mark.skipif(ANALYZE is None, reason="needs systemd-analyze (apt-get install systemd)")
def test_systemd_analyze_verify_finds_nothing(tmp_path: Path) -> None:
    # verify checks that ExecStart's program exists: point it at this checkout's installed chinwag
    unit = tmp_path / "chinwag.service"
    unit.write_text(UNIT.read_text().replace(VENV_CHINWAG, CHINWAG))
    r = subprocess.run([ANALYZE or "", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr.strip() == "" and r.stdout.strip() == "", r.stderr + r.stdout
    # and it does complain about a broken unit, so the silence above means something
    bad = tmp_path / "bad.service"
    bad.write_text(unit.read_text().replace("Restart=on-failure", "Restart=sometimes"))
    r = subprocess.run([ANALYZE or "", "verify", str(bad)], capture_output=True, text=True, timeout=60)
    assert "restart specifier" in r.stderr


def test_exec_start_runs_the_server_as_documented() -> None:
    unit = parse_unit(UNIT.read_text())
    service = unit["Service"]
    assert one(service, "ExecStart") == f"{VENV_CHINWAG} serve"
    assert one(service, "User") == "chinwag" and one(service, "ProtectSystem") == "strict"
    env = dict(v.split("=", 1) for k, v in service if k == "Environment")
    assert env["MM_CONFIG"] == "/opt/chinwag/config/config.json"
    assert env["MM_SERVICESETTINGS_ENABLELOCALMODE"] == "true"
    sock = env["MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION"]
    runtime = "/run/" + one(service, "RuntimeDirectory")
    state = "/var/lib/" + one(service, "StateDirectory")
    assert os.path.dirname(sock) == runtime
    writable = [runtime, state, *one(service, "ReadWritePaths").split()]

    # systemd's part, under a temporary root: directories with their modes, the environment, the cwd
    root = Path(workdir())
    port = free_port()

    def moved(path: str) -> str:
        return str(root / path.lstrip("/"))

    os.makedirs(moved(state), mode=int(one(service, "StateDirectoryMode"), 8))
    os.makedirs(moved(runtime), mode=int(one(service, "RuntimeDirectoryMode"), 8))
    os.makedirs(moved("/opt/chinwag/config"), mode=0o750)  # the install steps in the unit's comment
    run_env = {k: v for k, v in os.environ.items() if not k.startswith(("MM_", "MMCTL_"))}
    for key, value in env.items():
        run_env[key] = " ".join(moved(p) if p.startswith("/") else p for p in value.split(" "))
    run_env["MM_SERVICESETTINGS_LISTENADDRESS"] = env["MM_SERVICESETTINGS_LISTENADDRESS"].replace(
        ":8065", f":{port}")
    assert env["MM_SERVICESETTINGS_LISTENADDRESS"] == "127.0.0.1:8065"
    cwd = moved(one(service, "WorkingDirectory"))
    command = one(service, "ExecStart").replace(VENV_CHINWAG, CHINWAG).split()
    before = set(root.rglob("*"))
    log = open(root / "server.log", "wb")
    proc = subprocess.Popen(command, env=run_env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        api = f"http://127.0.0.1:{port}/api/v4"
        for _ in range(300):
            assert proc.poll() is None, (root / "server.log").read_text()[-3000:]
            try:
                if httpx.get(api + "/system/ping", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        status = httpx.get(api + "/system/ping", params={"get_server_status": "true"}).json()
        assert status["database_status"] == "OK" and status["filestore_status"] == "OK"
        # the local-mode socket at the documented place, 0600, answering the admin CLI
        assert stat.S_IMODE(os.stat(moved(sock)).st_mode) == 0o600
        cli_env = {**{k: v for k, v in os.environ.items() if not k.startswith(("MM_", "MMCTL_"))},
                   "MMCTL_LOCAL_SOCKET_PATH": moved(sock), "HOME": str(root)}
        r = subprocess.run([CHINWAG, "system", "ping", "--local"], env=cli_env, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0 and r.stdout.strip() == "OK", r.stderr
        r = subprocess.run([CHINWAG, "user", "create", "--email", "a@example.com", "--username", "ada",
                            "--password", "Password-1", "--local"], env=cli_env, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        login = httpx.post(api + "/users/login", json={"login_id": "ada", "password": "Password-1"})
        assert login.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)  # systemctl stop
        code = proc.wait(int(one(service, "TimeoutStopSec")))
        log.close()
    # a clean stop for systemd (exit 0, or the SIGTERM itself), so Restart=on-failure leaves it stopped
    assert code in (0, -signal.SIGTERM), code
    # everything the server wrote is where ProtectSystem=strict lets it write
    written = [p for p in set(root.rglob("*")) - before if p.is_file() and p.name != "server.log"]
    assert any(p.name == "config.json" for p in written) and any(p.name == "chinwag.db" for p in written)
    assert any(p.name == "chinwag.log" for p in written)
    outside = [str(p) for p in written if not any(p.is_relative_to(moved(w)) for w in writable)]
    assert outside == [], f"written outside ReadWritePaths/StateDirectory/RuntimeDirectory: {outside}"
