"""Where an idle WebSocket connection's memory goes: the server runs in this process under tracemalloc,
N idle clients connect from another process, and the allocations made while they connected are
grouped by source line.

    .venv/bin/python -m bench.ws_memory [--clients 2000] [--top 30]

Also prints RSS growth per connection (the figure `bench/ws_fanout.py --idle` reports), so the two can
be compared: tracemalloc sees Python allocations only, RSS also sees the allocator's overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing as mp
import os
import tempfile
import time
import tracemalloc
from typing import Any

import uvicorn
import websockets
from tests.procs import create_pg_database, free_port

from bench.common import PG_URL
from bench.ws_fanout import populate, rss_kb
from chinwag.model.ids import new_id
from chinwag.web.ws_protocol import UVICORN_WS_OPTIONS


def clients(url: str, tokens: list[str], ready: Any, stop: Any) -> None:
    async def main() -> None:
        conns = []
        for i, t in enumerate(tokens):
            conns.append(await websockets.connect(url, additional_headers={"Authorization": f"Bearer {t}"},
                                                  ping_interval=None, compression=None, open_timeout=60))
            await conns[-1].recv()  # hello
            if i % 200 == 199:
                await asyncio.sleep(0.05)
        ready.put(len(conns))
        while not stop.is_set():
            await asyncio.sleep(0.2)
        for c in conns:
            await c.close()

    asyncio.run(main())


async def run(args: argparse.Namespace, url: str) -> None:
    from chinwag.config import ConfigStore
    from chinwag.server import LifespanApp, build, migrate_database

    wd = tempfile.mkdtemp(prefix="chinwag-wsmem-")
    port = free_port()
    os.environ.update({"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
                       "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files"),
                       "MM_LOGSETTINGS_CONSOLELEVEL": "WARN",
                       "MM_SERVICESETTINGS_LISTENADDRESS": f"127.0.0.1:{port}"})
    cfg = ConfigStore(os.path.join(wd, "config.json"))
    cfg.load()
    server = build(cfg)
    await migrate_database(server.db)
    tokens = await populate(url, new_id(), new_id(), args.clients, 0)
    config = uvicorn.Config(LifespanApp(server), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on", http="httptools", **UVICORN_WS_OPTIONS)
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve())
    while not srv.started:
        await asyncio.sleep(0.05)
    ctx = mp.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    await asyncio.sleep(2)
    gc.collect()
    rss0 = rss_kb(os.getpid())
    tracemalloc.start(args.frames)
    before = tracemalloc.take_snapshot()
    proc = ctx.Process(target=clients, args=(f"ws://127.0.0.1:{port}/api/v4/websocket", tokens, ready, stop))
    t0 = time.time()
    proc.start()
    while ready.empty():
        await asyncio.sleep(0.2)
    n = ready.get()
    took = time.time() - t0
    await asyncio.sleep(3)  # checkpoints and statuses written, queues drained
    gc.collect()
    after = tracemalloc.take_snapshot()
    traced = sum(s.size_diff for s in after.compare_to(before, "filename"))
    tracemalloc.stop()
    gc.collect()
    rss1 = rss_kb(os.getpid())
    print(f"{n} connections in {took:.1f} s; RSS +{(rss1 - rss0) / n:.1f} KB/conn "
          f"(includes tracemalloc's own overhead); traced +{traced / n / 1024:.1f} KB/conn")
    for stat in after.compare_to(before, args.group)[: args.top]:
        frame = stat.traceback[0]
        print(f"{stat.size_diff / n:8.0f} B/conn {stat.count_diff / n:6.2f} obj/conn  "
              f"{frame.filename.split('site-packages/')[-1].split('src/')[-1]}:{frame.lineno}")
    stop.set()
    proc.join(30)
    srv.should_exit = True
    await task


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--frames", type=int, default=1)
    ap.add_argument("--group", default="lineno", choices=["lineno", "filename", "traceback"])
    url, drop = create_pg_database(PG_URL)
    try:
        asyncio.run(run(ap.parse_args(), url))
    finally:
        drop()


if __name__ == "__main__":
    main()
