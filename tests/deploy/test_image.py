"""The container image's steps without Docker (no engine here): the wheel `make wheel` builds (web UI
inside), installed into a fresh virtualenv, the server started as uid/gid 2000 with the Dockerfile's
environment and a read-only layout — only the config, data and log directories (and a private
/tmp) writable, as the chart mounts them — then ping, readiness, a sign-up, a login and the web UI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.procs import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the server as uid 2000")


def dockerfile_env() -> dict[str, str]:
    """The runtime stage's ENV block, as `KEY=value` pairs."""
    text = DOCKERFILE.read_text()
    block = text[text.rindex("\nENV ") + 5:].split("\nWORKDIR", 1)[0]
    return dict(pair.split("=", 1) for pair in re.findall(r"(\w+=\S+)", block.replace("\\\n", " ")))


def dockerfile_arg(name: str) -> str:
    m = re.search(rf"^ARG {name}=(\S+)$", DOCKERFILE.read_text(), re.M)
    assert m, name
    return m.group(1)


def test_dockerfile_runs_as_2000_with_the_writable_layout() -> None:
    text = DOCKERFILE.read_text()
    assert dockerfile_arg("UID") == "2000" and dockerfile_arg("GID") == "2000"
    assert "USER ${UID}:${GID}" in text
    assert 'VOLUME ["/chinwag/config", "/chinwag/data", "/chinwag/logs"]' in text
    assert 'ENTRYPOINT ["chinwag"]' in text and 'CMD ["serve"]' in text
    env = dockerfile_env()
    assert env["MM_CONFIG"] == "/chinwag/config/config.json"
    assert env["PATH"].startswith("/opt/chinwag/venv/bin:")
    # the chart mounts the same three directories (and /tmp) and runs the same uid
    helpers = (ROOT / "deploy" / "helm" / "chinwag" / "templates" / "_helpers.tpl").read_text()
    for d in ("/chinwag/config", "/chinwag/data", "/chinwag/logs", "/tmp"):
        assert f"mountPath: {d}\n" in helpers


@pytest.fixture(scope="module")
def installed() -> Iterator[Path]:
    """`make wheel`, then a fresh virtualenv with the wheel (root-owned: read-only to uid 2000)."""
    r = subprocess.run(["make", "wheel"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    wheels = sorted((ROOT / "dist").glob("chinwag-*.whl"), key=lambda p: p.stat().st_mtime)
    assert wheels, "make wheel made no wheel"
    root = Path(tempfile.mkdtemp(prefix="chinwag-image-"))  # pytest's own tmp is closed to other uids
    root.chmod(0o755)
    venv = root / "opt" / "chinwag" / "venv"
    # a Python the server's uid can run (the image's is /usr/local/bin/python3.11; this test's own
    # interpreter may live under root's home)
    python = next((p for p in ("/usr/local/bin/python3.11", "/usr/bin/python3.11") if os.path.exists(p)),
                  sys.executable)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    r = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                        str(wheels[-1])], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_wheel_in_a_fresh_venv_serves_as_uid_2000_read_only(installed: Path) -> None:
    root = installed
    home = root / "chinwag"  # WORKDIR: read-only to the server
    home.mkdir(mode=0o755)
    writable = [home / "config", home / "data", home / "logs", root / "tmp"]
    for d in writable:
        d.mkdir(mode=0o750)
        os.chown(d, 2000, 2000)
    (root / "tmp").chmod(0o700)
    port = free_port()
    env = {k: v.replace("/opt/chinwag/venv", str(root / "opt/chinwag/venv")).replace("/chinwag/", f"{home}/")
           for k, v in dockerfile_env().items()}
    env["PATH"] = env["PATH"].replace("$PATH", "/usr/bin:/bin")
    env.update({"HOME": str(home), "TMPDIR": str(root / "tmp"), "LANG": "C.UTF-8",
                "MM_SERVICESETTINGS_LISTENADDRESS": f"127.0.0.1:{port}",
                "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"})
    chinwag = root / "opt/chinwag/venv/bin/chinwag"
    before = set(Path("/tmp").iterdir())
    log = open(root / "server.log", "wb")
    proc = subprocess.Popen([str(chinwag), "serve"], cwd=home, env=env, user=2000, group=2000,
                            extra_groups=[], stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api/v4"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (root / "server.log").read_text()[-3000:]
            try:
                if httpx.get(api + "/system/ping", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (root / "server.log").read_text()[-3000:]
            time.sleep(0.2)
        ready = httpx.get(api + "/system/ping", params={"get_server_status": "true"}, timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json()["database_status"] == "OK" and ready.json()["filestore_status"] == "OK"
        r = httpx.post(api + "/users", json={"username": "alice", "email": "alice@example.com",
                                             "password": "password"}, timeout=10)
        assert r.status_code == 201, r.text
        r = httpx.post(api + "/users/login", json={"login_id": "alice", "password": "password"}, timeout=10)
        assert r.status_code == 200 and r.headers["Token"], r.text
        me = httpx.get(api + "/users/me", headers={"Authorization": f"Bearer {r.headers['Token']}"}, timeout=10)
        assert me.json()["username"] == "alice"
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200 and "<div id=\"root\"" in page.text  # the web UI from the wheel
    finally:
        proc.terminate()
        code = proc.wait(30)
        log.close()
    assert code in (0, -15), (root / "server.log").read_text()[-3000:]
    # what the server wrote is in its three directories, owned by 2000; nothing under the read-only
    # part (the venv and the working directory) and nothing left in the machine's /tmp
    assert (home / "config" / "config.json").exists()
    assert (home / "data" / "chinwag.db").exists()
    assert (home / "logs" / "chinwag.log").exists()
    assert (home / "config" / "config.json").stat().st_uid == 2000
    assert sorted(p.name for p in home.iterdir()) == ["config", "data", "logs"]
    assert not [p for p in (root / "opt").rglob("*") if p.lstat().st_uid == 2000]
    assert not [p for p in set(Path("/tmp").iterdir()) - before if p.lstat().st_uid == 2000]
