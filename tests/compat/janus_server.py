"""A real Janus gateway (Debian's ``janus`` package, installed by scripts/test_system_deps.sh) started from a
generated configuration in its own temporary folder: the VideoRoom plugin only, the WebSocket transport
only (loopback, a free port), an API secret, RTP from a given port range. Its ICE host candidates are the
machine's own addresses (libnice gathers none on loopback), which the test peers reach locally."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.procs import free_port

JANUS = shutil.which("janus") or "/usr/bin/janus"
LIBS = "/usr/lib/x86_64-linux-gnu/janus"
API_SECRET = "janus-test-secret"


def janus_available() -> bool:
    return Path(JANUS).exists() and Path(LIBS, "plugins", "libjanus_videoroom.so").exists() \
        and Path(LIBS, "transports", "libjanus_websockets.so").exists()


class JanusServer:
    def __init__(self, rtp_ports: tuple[int, int] = (43000, 43999), plugins: tuple[str, ...] = ("videoroom",)) -> None:
        self.port = free_port()
        self.plugins = plugins
        self.rtp_ports = rtp_ports
        self.dir = tempfile.mkdtemp(prefix="chinwag-janus-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def start(self) -> JanusServer:
        conf, plugins, transports = (os.path.join(self.dir, d) for d in ("conf", "plugins", "transports"))
        for d in (conf, plugins, transports):
            os.makedirs(d)
        # only the libraries wanted are in the folders Janus loads from
        for name in self.plugins:
            os.symlink(f"{LIBS}/plugins/libjanus_{name}.so", f"{plugins}/libjanus_{name}.so")
        os.symlink(f"{LIBS}/transports/libjanus_websockets.so", f"{transports}/libjanus_websockets.so")
        Path(conf, "janus.jcfg").write_text(f"""general: {{
  configs_folder = "{conf}"
  plugins_folder = "{plugins}"
  transports_folder = "{transports}"
  events_folder = "{self.dir}/none"
  loggers_folder = "{self.dir}/none"
  debug_level = 3
  api_secret = "{API_SECRET}"
  session_timeout = 60
}}
media: {{
  rtp_port_range = "{self.rtp_ports[0]}-{self.rtp_ports[1]}"
}}
nat: {{
  ignore_mdns = true
}}
events: {{ broadcast = false }}
""")
        Path(conf, "janus.transport.websockets.jcfg").write_text(f"""general: {{
  json = "compact"
  ws = true
  ws_port = {self.port}
  ws_ip = "127.0.0.1"
  wss = false
}}
admin: {{
  admin_ws = false
  admin_wss = false
}}
""")
        Path(conf, "janus.plugin.videoroom.jcfg").write_text("general: {\n  string_ids = false\n}\n")
        return self._spawn()

    def restart(self) -> JanusServer:
        """Janus stopped (SIGTERM: its sessions, rooms and connections gone) and started again on the same
        port and configuration."""
        self._end()
        return self._spawn()

    def _spawn(self) -> JanusServer:
        conf = os.path.join(self.dir, "conf")
        log = open(os.path.join(self.dir, "log"), "ab")
        self.proc = subprocess.Popen([JANUS, "-C", f"{conf}/janus.jcfg", "-F", conf, "-o"],
                                     stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.monotonic() + 30
        import socket

        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("janus exited: " + self.log()[-3000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("janus did not start: " + self.log()[-3000:])

    def log(self) -> str:
        return Path(self.dir, "log").read_text(errors="replace")

    def stop(self) -> None:
        self._end()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _end(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
