"""A network of a test's own: a network namespace joined to this one by a veth pair, with addresses from
198.18.0.0/15 (RFC 2544's benchmarking range), and the processes a test starts in it (a chinwag server,
browsers through Playwright's browser server).

Firefox gathers ICE candidates only on interfaces other than loopback, so a call's media between Firefox
and the calls plugin's SFU needs an address that is not 127.0.0.1 for both. In the namespace the server
listens on every interface (the browsers open it at http://127.0.0.1:port, a secure context, as anywhere
else), the SFU binds the namespace's veth address, and the test process reaches the server's API and the
browser servers at that address from outside. Firefox without a capture permission gathers only on the
interface of the default route, so the namespace has one, on-link through the veth: an address outside is
never resolved, this side neither forwards nor proxies ARP for the pair, and the name servers are
unreachable in there (a lookup fails at once instead of waiting). Nothing leaves the two ends.

The namespace has no name (nothing in /run/netns): it lives as long as a process is in it. The first one,
the holder, reads a pipe from this process; when this process ends, however it ends (killed included),
the pipe closes and the holder kills every process in the namespace and exits, and with the last of them
the namespace and its veth pair are gone. ``close`` (also run at exit) closes the pipe and waits for that.
Needs CAP_NET_ADMIN (the veth pair, addresses) and CAP_SYS_ADMIN (a new network namespace): root,
outside a container that drops them."""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.e2e.server import ServerProcess

#: the capabilities a network of our own needs (bit numbers in /proc/self/status CapEff)
CAPABILITIES = {"CAP_NET_ADMIN": 12, "CAP_SYS_ADMIN": 21}
#: the tools it runs: iproute2's ip, util-linux's unshare and nsenter
TOOLS = ("ip", "unshare", "nsenter")
#: the holder: waits for the end of its standard input (the test process's end of the pipe closing), then
#: kills every other process in its network namespace (until none is left) and exits
HOLDER = """
import os, signal, sys
sys.stdin.buffer.read()
me = os.readlink("/proc/self/ns/net")
for _ in range(50):
    found = 0
    for e in os.listdir("/proc"):
        if e.isdigit() and int(e) != os.getpid():
            try:
                if os.readlink(f"/proc/{e}/ns/net") == me:
                    os.kill(int(e), signal.SIGKILL)
                    found += 1
            except OSError:
                pass
    if not found:
        break
"""
#: seconds a browser server gets to start its browser and print its endpoint
BROWSER_START_TIMEOUT = 90
#: the routing table the datagrams a test loses are sent through (out of the veth, to nothing)
LOST_TABLE = "100"
#: the preference of the rules that pick those datagrams, and of the local table's rule, moved after them
LOST_PREF, LOCAL_PREF = "10", "100"


_links = itertools.count()


class Unavailable(Exception):
    """This machine cannot give a test a network of its own (the reason says why)."""


def unavailable_reason() -> str | None:
    """Why a network namespace with a veth pair cannot be set up here, or None when it can."""
    missing_tools = [t for t in TOOLS if not shutil.which(t)]
    if missing_tools:
        return f"{', '.join(missing_tools)} not installed (iproute2, util-linux)"
    status = Path("/proc/self/status").read_text()
    m = re.search(r"^CapEff:\s*([0-9a-f]+)$", status, re.M)
    caps = int(m.group(1), 16) if m else 0
    lacking = [name for name, bit in CAPABILITIES.items() if not caps >> bit & 1]
    if lacking:
        who = "root without" if os.geteuid() == 0 else "not root: no"
        return f"a network namespace of the test's own needs {' and '.join(lacking)} ({who} them here)"
    return None


def name_servers() -> list[str]:
    """The resolvers /etc/resolv.conf names."""
    try:
        text = Path("/etc/resolv.conf").read_text()
    except OSError:
        return []
    return re.findall(r"^\s*nameserver\s+([0-9a-fA-F.:]+)", text, re.M)


def _run(*cmd: str) -> str:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def _net_ns(pid: int | str) -> str:
    return os.readlink(f"/proc/{pid}/ns/net")


class TestNetwork:
    """The namespace (``inner``: its address) and this side of the veth pair (``outer``)."""

    __test__ = False  # not a test class, whatever pytest's name pattern says

    def __init__(self) -> None:
        self.holder: subprocess.Popen[bytes] | None = None
        self.link = ""
        self.inner = ""
        self.outer = ""
        self.ns = ""
        #: the UDP ports whose datagrams are lost (``lose_udp``)
        self._losing: set[int] = set()
        self._lost_routing = False

    # --- setting up and tearing down

    def start(self) -> TestNetwork:
        reason = unavailable_reason()
        if reason:
            raise Unavailable(reason)
        atexit.register(self.close)
        ours = _net_ns("self")
        self.holder = subprocess.Popen(["unshare", "--net", "--", sys.executable, "-c", HOLDER],
                                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:  # unshare has moved itself into the new namespace when it differs from ours
            if self.holder.poll() is not None:
                err = self.holder.stderr.read().decode() if self.holder.stderr else ""
                self.close()
                raise Unavailable(f"unshare --net failed: {err.strip()}")
            with contextlib.suppress(OSError):
                if _net_ns(self.holder.pid) != ours:
                    break
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("unshare --net did not move into a new network namespace")
            time.sleep(0.01)
        self.ns = f"/proc/{self.holder.pid}/ns/net"
        try:
            self._configure()
        except Exception:
            self.close()
            raise
        return self

    def _configure(self) -> None:
        subnet = self._free_subnet()
        self.outer, self.inner = f"198.18.{subnet}.1", f"198.18.{subnet}.2"
        self.link = f"cwt{os.getpid()}x{next(_links)}"[:15]
        _run("ip", "link", "add", self.link, "type", "veth", "peer", "name", "eth0", "netns", str(self.holder.pid))  # type: ignore[union-attr]
        _run("ip", "addr", "add", f"{self.outer}/24", "dev", self.link)
        _run("ip", "link", "set", self.link, "up")
        self.run("ip", "link", "set", "lo", "up")
        self.run("ip", "addr", "add", f"{self.inner}/24", "dev", "eth0")
        self.run("ip", "link", "set", "eth0", "up")
        # a default route: Firefox, on a page without a capture permission (its fake devices with the prompt
        # off count as none), gathers candidates only on the interface of the default route. On-link through
        # the veth, so an outside address is never resolved (nothing answers ARP for it there), and this
        # side neither forwards nor proxies what comes in on the pair: nothing leaves the two ends.
        self.run("ip", "route", "add", "default", "dev", "eth0")
        for knob in ("forwarding", "proxy_arp"):
            Path(f"/proc/sys/net/ipv4/conf/{self.link}/{knob}").write_text("0\n")
        # and the name servers refuse at once: a lookup in here (a browser's, the server's) fails without
        # waiting for an address that never answers, and asks no one
        for server in name_servers():
            self.run("ip", "route", "add", "unreachable", server)

    @staticmethod
    def _free_subnet() -> int:
        """A /24 of 198.18.0.0/16 no interface or route here uses (another test's network, say)."""
        used = _run("ip", "-4", "-o", "addr", "show") + _run("ip", "-4", "route", "show")
        taken = {int(x) for x in re.findall(r"\b198\.18\.(\d+)\.", used)}
        start = os.getpid() % 250
        for i in range(250):
            n = (start + i) % 250 + 1
            if n not in taken:
                return n
        raise RuntimeError("no free /24 left in 198.18.0.0/16")

    def close(self) -> None:
        """Removes the veth pair and ends every process still in the namespace; the namespace goes with
        the last of them."""
        atexit.unregister(self.close)
        holder, self.holder = self.holder, None
        if holder is None:
            return
        if self.link:
            subprocess.run(["ip", "link", "del", self.link], capture_output=True, timeout=30)
        if holder.stdin:
            holder.stdin.close()  # the holder kills what is left in the namespace, then exits
        try:
            holder.wait(30)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait(10)
        if holder.stderr:
            holder.stderr.close()

    # --- breaking a path in it

    def udp_ports(self, low: int, high: int) -> set[int]:
        """The UDP ports from ``low`` to ``high`` bound in the namespace now (its /proc/net/udp)."""
        assert self.holder is not None
        ports = set()
        for line in Path(f"/proc/{self.holder.pid}/net/udp").read_text().splitlines()[1:]:
            port = int(line.split()[1].rsplit(":", 1)[1], 16)
            if low <= port <= high:
                ports.add(port)
        return ports

    def ephemeral_ports(self) -> tuple[int, int]:
        """The range the namespace's sockets bound to port 0 get their ports from (the browsers' ICE
        sockets)."""
        low, high = self.run("cat", "/proc/sys/net/ipv4/ip_local_port_range").split()
        return int(low), int(high)

    def lose_udp(self, ports: set[int]) -> None:
        """From now on every UDP datagram to or from one of ``ports`` in the namespace is lost, silently, as
        on a broken network path (the sender gets no error, the receiver nothing); TCP (the pages, the API)
        goes on. Policy routing: rules ahead of the local table's send those datagrams out of the veth, even
        to the namespace's own address, where nothing answers ARP for it, and they go no further."""
        if not self._lost_routing:
            self._lost_routing = True
            self.run("ip", "route", "add", "default", "dev", "eth0", "table", LOST_TABLE)
            self.run("ip", "rule", "add", "pref", LOCAL_PREF, "lookup", "local")
            self.run("ip", "rule", "del", "pref", "0", "lookup", "local")
        for port in sorted(ports - self._losing):
            for match in ("dport", "sport"):
                self.run("ip", "rule", "add", "pref", LOST_PREF, "ipproto", "udp", match, str(port), "lookup", LOST_TABLE)
        self._losing |= ports

    def mend_udp(self) -> None:
        """The datagrams ``lose_udp`` drops go through again."""
        for port in sorted(self._losing):
            for match in ("dport", "sport"):
                self.run("ip", "rule", "del", "pref", LOST_PREF, "ipproto", "udp", match, str(port), "lookup", LOST_TABLE)
        self._losing = set()

    # --- running things in it

    def enter(self) -> list[str]:
        """The command prefix that runs a program in the namespace."""
        return ["nsenter", f"--net={self.ns}", "--"]

    def run(self, *cmd: str) -> str:
        return _run("nsenter", f"--net={self.ns}", "--", *cmd)


class ServerInNetwork(ServerProcess):
    """A ``chinwag serve`` in the namespace: listening on every interface there, opened by the browsers
    at http://127.0.0.1:port (``url``), reached from the test at the namespace's address (``api_url``)."""

    def __init__(self, net: TestNetwork, **env: str) -> None:
        super().__init__(**env)
        self.env["MM_SERVICESETTINGS_LISTENADDRESS"] = f":{self.port}"
        self.prefix = net.enter()
        self.api_url = f"http://{net.inner}:{self.port}"


class Display:
    """An X server of the test's own (Xvfb, a virtual screen) in the namespace: a browser given its
    ``DISPLAY`` has a screen to share (headless Firefox has no fake one). It ends with the namespace."""

    def __init__(self, net: TestNetwork) -> None:
        read, write = os.pipe()
        self.proc = subprocess.Popen([*net.enter(), "Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24",
                                      "-nolisten", "tcp"], pass_fds=(write,), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:  # Xvfb writes the display number it took once it is ready
            number = f.readline().strip()
        if not number:
            self.stop()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class BrowserServer:
    """Playwright's browser server (``cli.js launch-server``, the driver's own node) in the namespace: it
    launches the browser there and listens at the namespace's address, where ``browser_type.connect``
    reaches it. Firefox is driven over WebDriver BiDi (Playwright's ``moz-firefox`` channel with Debian's
    firefox-esr as the executable), Chromium over its pipe as usual."""

    def __init__(self, net: TestNetwork, browser: str, options: dict[str, Any], env: dict[str, str] | None = None) -> None:
        from playwright._impl._driver import compute_driver_executable, get_driver_env

        self.name = browser
        self.home = tempfile.mkdtemp(prefix=f"chinwag-{browser}-")
        config = Path(self.home) / "launch.json"
        config.write_text(json.dumps({**options, "host": net.inner, "port": 0}))
        node, cli = compute_driver_executable()
        # HOME owned by us: Firefox refuses to start as root with someone else's
        env = {**get_driver_env(), **(env or {}), "HOME": self.home}
        self.log_path = Path(self.home) / "server.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([*net.enter(), node, cli, "launch-server", "--browser", browser, "--config", str(config)],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
        self.endpoint = ""

    def wait(self) -> str:
        """The server's WebSocket endpoint, once it has printed it."""
        deadline = time.monotonic() + BROWSER_START_TIMEOUT
        while not self.endpoint:
            out = self.log_path.read_text(errors="replace")
            m = re.search(r"^(ws://\S+)$", out, re.M)
            if m:
                self.endpoint = m.group(1)
            elif self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the {self.name} server did not start:\n{out[-3000:]}")
            else:
                time.sleep(0.05)
        return self.endpoint

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # the server closes its browser on SIGTERM
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.home, ignore_errors=True)


def connect_all(playwright: Any, servers: dict[str, BrowserServer]) -> dict[str, Any]:
    """``{key: Browser}``: each browser server (started beforehand, they start at once) connected to."""
    return {key: getattr(playwright, s.name).connect(s.wait()) for key, s in servers.items()}
