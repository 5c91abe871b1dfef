"""Web UI timings in headless Chromium against a real server: first paint, channel switch, and
scrolling back through a channel with many messages.

    .venv/bin/python bench/webapp_perf.py [--posts 10000]

Numbers are printed, never asserted (they depend on the machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright
from tests.e2e.server import ServerProcess


def seed(srv: ServerProcess, n: int) -> None:
    srv.create_user("admin")
    token = srv.login("admin")
    with srv.api(token) as c:
        team = c.post("/teams", json={"name": "bench", "display_name": "Bench", "type": "O"}).json()
        town = c.get(f"/teams/{team['id']}/channels/name/town-square").json()
    words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()

    def post(i: int) -> None:
        with srv.api(token) as c:
            msg = f"message {i}: " + " ".join(words[: 3 + i % 9]) + (" **bold** `code`" if i % 7 == 0 else "")
            r = c.post("/posts", json={"channel_id": town["id"], "message": msg})
            assert r.status_code == 201, r.text

    t0 = time.monotonic()
    with ThreadPoolExecutor(8) as ex:
        list(ex.map(post, range(n)))
    print(f"seeded {n} posts in {time.monotonic() - t0:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument("--data", help="keep the seeded server data here and reuse it on the next run")
    args = ap.parse_args()
    reuse = bool(args.data and os.path.exists(os.path.join(args.data, "chinwag.db")))
    srv = ServerProcess(args.data).start()
    try:
        if not reuse:
            seed(srv, args.posts)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            # Time (from navigation start, in the page's clock) at which the newest message is in the DOM.
            page.add_init_script("""(() => {{
                const want = {!r};
                new MutationObserver(() => {{
                    if (!window.__latest && document.body && document.body.textContent.includes(want)) {{
                        window.__latest = performance.now();
                    }}
                }}).observe(document, {{subtree: true, childList: true, characterData: true}});
            }})()""".format(f"message {args.posts - 1}:"))
            page.goto(srv.url + "/login")
            page.get_by_label("Email or username").fill("admin")
            page.get_by_label("Password").fill("password1")
            page.get_by_role("button", name="Log in").click()
            page.locator("article.post").last.wait_for()

            # First paint and time to the latest messages on a fresh load (session cookie set).
            loads = []
            paints = []
            for _ in range(5):
                page.goto(srv.url + "/bench/channels/town-square")
                page.locator("article.post", has_text=f"message {args.posts - 1}:").wait_for()
                loads.append(page.evaluate("window.__latest"))
                paints.append(page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1"))
            print(f"first contentful paint: median {statistics.median(paints):.0f} ms")
            print(f"navigation start → newest messages in the DOM: median {statistics.median(loads):.0f} ms")

            # Channel switch with cached data.
            sidebar = page.get_by_role("navigation", name="Channels")
            sidebar.get_by_role("link", name="Off-Topic").click()
            page.get_by_role("heading", name="Off-Topic", exact=True, level=1).wait_for()
            switches = []
            for i in range(10):
                name = "Town Square" if i % 2 == 0 else "Off-Topic"
                ms = page.evaluate("""async (name) => {
                    const link = [...document.querySelectorAll('nav[aria-label="Channels"] a')]
                        .find((a) => a.textContent.trim().startsWith(name));
                    const t0 = performance.now();
                    link.click();
                    await new Promise((resolve) => {
                        const check = () => {
                            const h = document.querySelector('.channel-header__title');
                            if (h && h.textContent.includes(name) && document.querySelector('.post')) resolve();
                            else requestAnimationFrame(check);
                        };
                        check();
                    });
                    await new Promise((r) => requestAnimationFrame(() => r()));
                    return performance.now() - t0;
                }""", name)
                switches.append(ms)
            print(f"channel switch (cached), click → painted: median {statistics.median(switches):.0f} ms, "
                  f"max {max(switches):.0f} ms")

            # Scroll back through history: wheel upwards for a while, record frame gaps.
            sidebar.get_by_role("link", name="Town Square").click()
            page.locator("article.post", has_text=f"message {args.posts - 1}:").wait_for()
            page.mouse.move(700, 400)
            page.evaluate("""() => {
                window.__frames = [];
                let last = performance.now();
                const tick = (t) => { window.__frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
                requestAnimationFrame(tick);
            }""")
            t0 = time.monotonic()
            while time.monotonic() - t0 < 20:
                page.mouse.wheel(0, -1500)
                page.wait_for_timeout(50)
            frames = page.evaluate("window.__stop = true; window.__frames")
            count = page.evaluate("document.querySelectorAll('article.post').length")
            oldest = page.evaluate("""() => {
                const ids = [...document.querySelectorAll('article.post .post__message')].map((e) => e.textContent);
                const nums = ids.map((t) => +(/message (\\d+):/.exec(t) || [])[1]).filter((n) => !isNaN(n));
                return Math.min(...nums);
            }""")
            frames.sort()
            p95 = frames[int(len(frames) * 0.95)]
            long_frames = sum(1 for f in frames if f > 50)
            print(f"scrolled back 20 s: reached message {oldest} of {args.posts}; "
                  f"{count} post elements in the DOM (virtualised); "
                  f"frame time median {statistics.median(frames):.1f} ms, p95 {p95:.1f} ms, "
                  f"{long_frames} frames > 50 ms of {len(frames)}")
            browser.close()
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
