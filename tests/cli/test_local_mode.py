"""Local mode: the API on a 0600 unix socket without authentication; unsafe socket paths refused."""

from __future__ import annotations

import os
import socket
import stat
import subprocess

import httpx

from tests.cli.conftest import LocalServer
from tests.procs import CHINWAG, free_port, sqlite_env, workdir


def test_socket_serves_the_api_without_auth(local_server: LocalServer) -> None:
    st = os.stat(local_server.socket)
    assert stat.S_ISSOCK(st.st_mode) and st.st_mode & 0o777 == 0o600 and st.st_uid == os.getuid()
    with httpx.Client(transport=httpx.HTTPTransport(uds=local_server.socket), base_url="http://_/api/v4") as c:
        r = c.post("/users", json={"username": "lm-admin", "email": "lm-admin@example.com", "password": "password"})
        assert r.status_code == 201, r.text
        uid = r.json()["id"]
        # full permissions: make the user a system admin, read the unmasked config
        assert c.put(f"/users/{uid}/roles", json={"roles": "system_user system_admin"}).status_code == 200
        cfg = c.get("/config").json()
        assert cfg["SqlSettings"]["DataSource"].endswith("chinwag.db")
    # the same request over TCP needs a session
    assert httpx.get(local_server.proc.api + "/config").status_code == 401


def _serve(env: dict[str, str], wd: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("MM_")}
    full.update({**sqlite_env(wd), "MM_CONFIG": os.path.join(wd, "config.json"),
                 "MM_SERVICESETTINGS_LISTENADDRESS": f"127.0.0.1:{free_port()}",
                 "MM_SERVICESETTINGS_ENABLELOCALMODE": "true", **env})
    return subprocess.run([CHINWAG, "serve"], env=full, capture_output=True, text=True, timeout=60, cwd=wd)


def test_unsafe_socket_paths_are_refused() -> None:
    wd = workdir()
    open_dir = os.path.join(wd, "open")
    os.mkdir(open_dir)
    os.chmod(open_dir, 0o777)
    r = _serve({"MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION": os.path.join(open_dir, "s.sock")}, wd)
    assert r.returncode != 0
    assert "ServiceSettings.LocalModeSocketLocation" in r.stderr and "sticky" in r.stderr

    theirs = os.path.join(wd, "theirs.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(theirs)
    s.close()
    if os.getuid() == 0:  # only root can give a file away
        os.chown(theirs, 65534, 65534)
        r = _serve({"MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION": theirs}, wd)
        assert r.returncode != 0 and "belongs to another user" in r.stderr

    not_socket = os.path.join(wd, "plain-file")
    open(not_socket, "w").close()
    r = _serve({"MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION": not_socket}, wd)
    assert r.returncode != 0 and "not a socket" in r.stderr
    assert os.path.exists(not_socket)


def test_a_second_server_does_not_steal_a_live_socket(local_server: LocalServer) -> None:
    wd = workdir()
    r = _serve({"MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION": local_server.socket}, wd)
    assert r.returncode != 0 and "another server is listening" in r.stderr
    assert os.path.exists(local_server.socket)
