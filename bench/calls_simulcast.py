"""What a simulcast camera costs the embedded SFU: a real ``chinwag serve`` (SQLite) with the calls plugin
on, Chromium pages (fake devices, as tests/e2e/test_calls_ui.py) in one call through the web UI. Bob turns
his camera on (three encodings, ``EnableSimulcast``); the calls plugin process's CPU (user+system from
/proc) is measured over ``--seconds`` with the call idle (nobody's camera on, everybody muted), then with
bob's camera going to one receiver, then to two (a third page joins): the first step is the three layers
received and reassembled plus one forwarded, the second what one more forwarded layer adds. Reported
beside: the layers bob's browser sends (from its getStats) and what each receiver decodes.

    .venv/bin/python -m bench.calls_simulcast [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM  # noqa: E402
from tests.e2e.server import ServerProcess  # noqa: E402
from tests.e2e.test_calls_ui import MEDIA_FLAGS, PLUGIN  # noqa: E402
from tests.e2e.test_webapp import login, new_page  # noqa: E402

from bench.calls import cpu_seconds, plugin_pid  # noqa: E402

STATS = """async () => { const rows = [...document.querySelectorAll("table.call-details tr[data-kind='video']")];
    return rows.map((r) => ({dir: r.dataset.direction, text: r.cells[0].textContent, bytes: Number(r.dataset.bytes)})); }"""


def measure(pid: int, seconds: float) -> float:
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    srv = ServerProcess().start()
    try:
        srv.create_user("admin")
        admin = srv.login("admin")
        for name in ("bob", "carol"):
            srv.create_user(name)
        with srv.api(admin) as c:
            team = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O"}).json()
            for name in ("bob", "carol"):
                uid = c.get(f"/users/username/{name}").json()["id"]
                c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": uid})
            c.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {"udpserveraddress": "127.0.0.1"}}}})
            c.post(f"/plugins/{PLUGIN}/enable")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                                               *MEDIA_FLAGS])
            pages: dict[str, Any] = {}
            for name in ("admin", "bob", "carol"):
                p = pages[name] = new_page(browser)
                login(p, srv.url, name)
                p.goto(srv.url + "/acme/channels/town-square")
                p.get_by_role("button", name="Start call").wait_for()
            a, b, c3 = pages["admin"], pages["bob"], pages["carol"]
            a.get_by_role("button", name="Start call").click()
            a.locator("section.call-bar[data-status='connected']").wait_for()
            b.get_by_role("button", name="Join call").first.click()
            b.locator("section.call-bar[data-status='connected']").wait_for()
            assert srv.proc is not None
            pid = plugin_pid(srv.proc.pid)
            time.sleep(3)
            results: dict[str, Any] = {"idle": measure(pid, args.seconds)}
            b.get_by_role("button", name="Start video").click()
            b.get_by_role("button", name="Stop video").wait_for()
            for p in (a, b):
                p.get_by_role("button", name="Call details").click()
            a.wait_for_function("""() => [...document.querySelectorAll(
                "table.call-details tr[data-direction='in'][data-kind='video'][data-frames-decoded]")].length > 0""",
                                timeout=60000)
            time.sleep(10)  # the sender's bandwidth estimate ramps up
            results["camera, 1 receiver"] = measure(pid, args.seconds)
            results["bob sends (1 receiver)"] = b.evaluate(STATS)
            results["admin receives"] = a.evaluate(STATS)
            c3.get_by_role("button", name="Join call").first.click()
            c3.locator("section.call-bar[data-status='connected']").wait_for()
            c3.get_by_role("button", name="Call details").click()
            c3.wait_for_function("""() => [...document.querySelectorAll(
                "table.call-details tr[data-direction='in'][data-kind='video'][data-frames-decoded]")].length > 0""",
                                 timeout=60000)
            time.sleep(5)
            results["camera, 2 receivers"] = measure(pid, args.seconds)
            results["bob sends (2 receivers)"] = b.evaluate(STATS)
            results["carol receives"] = c3.evaluate(STATS)
            browser.close()
        with open("/proc/loadavg") as f:
            results["load"] = f.read().split()[:3]
        print(json.dumps(results, indent=1))
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
