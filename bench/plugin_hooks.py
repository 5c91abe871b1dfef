"""What one plugin's ``message_will_be_posted`` costs a post.

1. The hook alone: PluginHooks → RPC to a real plugin process (a pass-through plugin that changes the
   message) and back, N sequential calls, p50/p99 per call. On a busy machine most of the tail is the
   two processes waiting for a CPU; the kernel counts that wait per thread (``/proc/<pid>/schedstat``),
   so each call is also reported less the run-queue wait of both processes during it
   (``without_runqueue_wait``: what the call costs on a machine with a core free for each), and its
   time on a CPU (``on_cpu``).
2. End to end: sequential ``POST /posts`` against a real server process on PostgreSQL, without the plugin
   and with it enabled, p50/p99 of each.

    .venv/bin/python -m bench.plugin_hooks [--calls 3000] [--posts 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import tarfile
import tempfile
import time
from pathlib import Path

from bench.common import make_user, start_server

PLUGIN = "com.example.passthrough"
CODE = b"""
from chinwag.plugin import Plugin


class PassThrough(Plugin):
    async def message_will_be_posted(self, c, post):
        post.message = post.message + " (seen)"
        return post, ""
"""
MANIFEST = json.dumps({"id": PLUGIN, "name": "Pass", "version": "1.0.0",
                       "server": {"executable": "server/plugin.py"}}).encode()


def percentiles(times: list[float]) -> dict[str, float]:
    times.sort()
    return {"p50_ms": round(statistics.median(times), 3), "p99_ms": round(times[int(len(times) * 0.99) - 1], 3),
            "max_ms": round(times[-1], 3)}


async def hook_only(calls: int) -> dict[str, float]:
    from chinwag.app.context import Ctx
    from chinwag.app.plugin_hooks import PluginHooks
    from chinwag.app.plugin_process import PluginProcess, RemotePlugin
    from chinwag.model.post import Post

    folder = Path(tempfile.mkdtemp(prefix="chinwag-bench-plugin-"))
    (folder / "server").mkdir()
    (folder / "plugin.json").write_bytes(MANIFEST)
    (folder / "server" / "plugin.py").write_bytes(CODE)
    hooks = PluginHooks(None)  # type: ignore[arg-type]  (no directory: only will_be_posted is called)
    process = PluginProcess(PLUGIN, folder, None, lambda p, r: None)  # type: ignore[arg-type]
    implements = await process.start()
    hooks.attach(PLUGIN, RemotePlugin(process), implements)
    ctx = Ctx(request_id="r")
    post = Post(id="p" * 26, channel_id="c" * 26, user_id="u" * 26, message="hello world " * 5,
                props={"from_bench": True})
    from bench.posts import cpu_seconds

    times: list[float] = []
    unqueued: list[float] = []  # each call's time less what both processes waited for a CPU
    on_cpu: list[float] = []  # each call's time on a CPU, both processes
    child = process.proc.pid if process.proc else 0
    stats = [Path("/proc/thread-self/schedstat"), Path(f"/proc/{child}/schedstat")]
    for i in range(calls + 200):
        if i == 200:  # after the warm-up
            cpu0 = time.process_time() + cpu_seconds(child)
        outer = time.perf_counter()
        before = schedstat(stats)
        t = time.perf_counter()
        out = await hooks.will_be_posted(ctx, post)
        elapsed = (time.perf_counter() - t) * 1000
        after = schedstat(stats)
        window = (time.perf_counter() - outer) * 1000  # the call and the reading of the counters
        if i >= 200:
            times.append(elapsed)
            if before and after:  # over-counted by the reading, never under-counted
                ran, waited = after[0] - before[0], after[1] - before[1]
                unqueued.append(max(window - waited, 0.0))
                on_cpu.append(ran)
        assert out.message.endswith("(seen)")
        post.message = "hello world " * 5
    cpu = (time.process_time() + cpu_seconds(child) - cpu0) / calls * 1000
    await process.stop()
    out_stats = {**percentiles(times), "cpu_ms_per_call": round(cpu, 3)}
    if unqueued:
        out_stats["without_runqueue_wait"] = percentiles(unqueued)
        out_stats["on_cpu"] = percentiles(on_cpu)
    return out_stats


def schedstat(paths: list[Path]) -> tuple[float, float] | None:
    """(ms on a CPU, ms waiting on a run queue) so far, summed over the threads ``paths`` name
    (``/proc/…/schedstat``: the kernel's per-task counters, in nanoseconds); None without them."""
    try:
        fields = [p.read_text().split() for p in paths]
    except OSError:
        return None
    return sum(int(f[0]) for f in fields) / 1e6, sum(int(f[1]) for f in fields) / 1e6


def end_to_end(posts: int) -> dict[str, dict[str, float]]:
    srv, drop = start_server({"MM_PLUGINSETTINGS_ENABLEUPLOADS": "true"})
    try:
        admin, _ = make_user(srv.api, "admin")
        team = admin("POST", "/teams", {"name": "bench", "display_name": "Bench", "type": "O"}, 201)
        channel = admin("POST", "/channels", {"team_id": team["id"], "name": "load", "display_name": "Load",
                                              "type": "O"}, 201)

        def run() -> dict[str, float]:
            times = []
            for i in range(posts + 100):
                t = time.perf_counter()
                admin("POST", "/posts", {"channel_id": channel["id"], "message": f"post {i}"}, 201)
                if i >= 100:
                    times.append((time.perf_counter() - t) * 1000)
            return percentiles(times)

        without = run()
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for name, data in (("plugin.json", MANIFEST), ("server/plugin.py", CODE)):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        r = admin.c.post("/plugins", files={"plugin": ("p.tar.gz", buf.getvalue())})
        assert r.status_code == 201, r.text
        admin("POST", f"/plugins/{PLUGIN}/enable", None, 200)
        with_plugin = run()
        return {"without": without, "with": with_plugin}
    finally:
        srv.stop()
        drop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--posts", type=int, default=1000)
    args = ap.parse_args()
    import uvloop  # the server's loop (chinwag serve runs on uvloop)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        print(json.dumps({"hook": runner.run(hook_only(args.calls))}))
    if args.posts:
        print(json.dumps({"post": end_to_end(args.posts)}))


if __name__ == "__main__":
    main()
