"""Which server process serves a connection, from /proc (the load test and the server on one machine).

With several server processes sharing one listening socket the kernel hands each new connection to one
of them; the load test asks which, to tell whether a user's post went through another process than the
one holding its WebSocket (its `posted` event then crossed between processes through Redis). A client
connection's local port is the server-side socket's remote port in /proc/net/tcp; that socket's inode is
among the file descriptors of exactly one server process."""

from __future__ import annotations

import os


def _hex_port(addr: str) -> int:
    return int(addr.rsplit(":", 1)[1], 16)


def server_sockets(server_port: int, tables: tuple[str, ...] = ("/proc/net/tcp", "/proc/net/tcp6")) -> dict[int, int]:
    """Established connections to ``server_port``: the client's port → the server-side socket's inode."""
    out: dict[int, int] = {}
    mark = f":{server_port:04X} "  # only lines with the port on either side are split (thousands of others)
    for path in tables:
        try:
            with open(path) as f:
                next(f, None)
                for line in f:
                    if mark not in line:
                        continue
                    parts = line.split()
                    # local address, remote address, state (01 = established), …, inode (10th field)
                    if len(parts) > 9 and parts[3] == "01" and _hex_port(parts[1]) == server_port:
                        out[_hex_port(parts[2])] = int(parts[9])
        except FileNotFoundError:
            continue
    return out


def socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets this process holds open."""
    out: set[int] = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except (FileNotFoundError, PermissionError):
        return out
    for name in names:
        try:
            target = os.readlink(f"{fd_dir}/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(int(target[8:-1]))
    return out


class PortMap:
    """Client port → the pid of the server process holding the other end (``pids``: the server's processes
    listening on ``server_port``). ``refresh`` reads /proc/net's tables once; ``pid_of`` answers from that
    read. Which process holds which socket (a readlink of every descriptor of every server process: thousands
    at 3,000 users) is read again only when a looked-up socket is not known yet — the load test's
    connections live long (keep-alive, WebSockets), so most seconds need no such scan."""

    def __init__(self, server_port: int, pids: list[int]) -> None:
        self.server_port = server_port
        self.pids = list(pids)
        self.socks: dict[int, int] = {}  # client port → server-side socket inode (last refresh)
        self.owner: dict[int, int] = {}  # socket inode → server pid (last scan)
        self._scanned = False  # scanned since the last refresh
        self.scans = 0

    def refresh(self) -> None:
        self.socks = server_sockets(self.server_port)
        self._scanned = False

    def _scan(self) -> None:
        owner: dict[int, int] = {}
        for pid in self.pids:
            for inode in socket_inodes(pid):
                owner[inode] = pid
        self.owner = owner
        self._scanned = True
        self.scans += 1

    def pid_of(self, port: int) -> int | None:
        inode = self.socks.get(port) if port else None
        if inode is None:
            return None
        pid = self.owner.get(inode)
        if pid is None and not self._scanned:
            self._scan()
            pid = self.owner.get(inode)
        return pid

    def spread(self) -> dict[int, int]:
        """Connections per server process (from the last refresh)."""
        if not self._scanned:
            self._scan()
        out = {pid: 0 for pid in self.pids}
        for inode in self.socks.values():
            pid = self.owner.get(inode)
            if pid is not None:
                out[pid] = out.get(pid, 0) + 1
        return out


def children(pid: int) -> list[int]:
    """The direct children of a process (uvicorn's workers under ``chinwag serve --workers N``)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(x) for x in f.read().split())
        except FileNotFoundError:
            continue
    return sorted(set(out))
