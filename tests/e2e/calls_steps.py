"""The steps the browser tests of calls share (tests/e2e/test_calls_ui.py in Chromium,
tests/e2e/test_calls_firefox_ui.py with Firefox and Chromium): the call bar's parts, starting and joining a
call, unmuting, and watching the call details' RTP counters (each inbound stream's bytes, refreshed every
second) grow or stop."""

from __future__ import annotations

from typing import Any

PLUGIN = "com.mattermost.calls"
#: Chromium with fake microphone/camera/screen and no permission prompts
MEDIA_FLAGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
               "--autoplay-policy=no-user-gesture-required", "--auto-select-desktop-capture-source=Entire screen"]

#: the call details' inbound rows of one kind, as a JavaScript expression of ``kind``
_ROWS = "[...document.querySelectorAll(`table.call-details tr[data-direction='in'][data-kind='${kind}']`)]"


def bar(page: Any) -> Any:
    return page.locator("section.call-bar")


def connected(page: Any) -> Any:
    return page.locator("section.call-bar[data-status='connected']")


def controls(page: Any) -> Any:
    """The call bar's own buttons (the host also has a Mute beside each unmuted participant)."""
    return page.get_by_role("toolbar", name="Call controls")


def participant(page: Any, user_id: str, **state: bool) -> Any:
    """That user in the call bar's list; ``unmuted=``/``hand=``: only in that state."""
    attrs = "".join(f"[data-{k}='{str(v).lower()}']" for k, v in state.items())
    return page.locator(f".call-bar__people li[data-user-id='{user_id}']{attrs}")


def watch_status(page: Any) -> None:
    """From now on the page notes every status its call bar takes (``statuses``): a short one is not
    missed while the test waits on another page."""
    page.evaluate("""() => { const bar = document.querySelector('section.call-bar');
        window.__statuses = [];
        new MutationObserver(() => window.__statuses.push(bar.dataset.status))
            .observe(bar, {attributes: true, attributeFilter: ['data-status']}); }""")


def wait_status_was(page: Any, status: str, timeout: float = 30000) -> None:
    """The call bar has taken ``status`` since ``watch_status``."""
    page.wait_for_function("(s) => window.__statuses.includes(s)", arg=status, timeout=timeout)


def start_and_join(starter: Any, joiner: Any, url: str, channel: str = "town-square") -> None:
    """``starter`` starts a call in the channel from its header; ``joiner``, once its header offers it,
    joins it: both call bars connected."""
    for p in (starter, joiner):
        p.goto(f"{url}/acme/channels/{channel}")
        p.get_by_role("button", name="Start call").wait_for()
    starter.get_by_role("button", name="Start call").click()
    connected(starter).wait_for()
    joiner.locator("[data-call-post='live']").wait_for()
    joiner.get_by_role("button", name="Join call").first.click()
    connected(joiner).wait_for()


def unmute(*pages: Any) -> None:
    for p in pages:
        controls(p).get_by_role("button", name="Unmute").click()
        controls(p).get_by_role("button", name="Mute", exact=True).wait_for()


def open_details(*pages: Any) -> None:
    for p in pages:
        if not p.locator("table.call-details").count():
            controls(p).get_by_role("button", name="Call details").click()
        p.locator("table.call-details").wait_for()


def inbound_bytes(page: Any, kind: str = "audio") -> list[int]:
    rows = page.locator(f"table.call-details tr[data-direction='in'][data-kind='{kind}']")
    return [int(rows.nth(i).get_attribute("data-bytes") or 0) for i in range(rows.count())]


def wait_receiving(page: Any, kind: str = "audio") -> None:
    """Some inbound stream of that kind has bytes, and more a moment later."""
    page.wait_for_function(f"(kind) => {_ROWS}.some((r) => Number(r.dataset.bytes) > 0)", arg=kind, timeout=30000)
    before = max(inbound_bytes(page, kind))
    page.wait_for_function(f"([kind, before]) => {_ROWS}.some((r) => Number(r.dataset.bytes) > before)",
                           arg=[kind, before], timeout=30000)


def wait_receiving_from(page: Any, name: str, kind: str = "audio") -> None:
    """An inbound stream of that kind from ``name`` (the call details name the sender from the media map)
    has bytes, and more a moment later."""
    rows = f"""([kind, name]) => {_ROWS}.filter((r) => r.textContent.includes(' in ' + name))
        .map((r) => Number(r.dataset.bytes))"""
    page.wait_for_function(f"([kind, name]) => ({rows})([kind, name]).some((b) => b > 0)", arg=[kind, name],
                           timeout=30000)
    before = max(page.evaluate(rows, [kind, name]))
    page.wait_for_function(f"([kind, name, before]) => ({rows})([kind, name]).some((b) => b > before)",
                           arg=[kind, name, before], timeout=30000)


def wait_stopped(page: Any, kind: str = "audio", quiet_ms: int = 2500) -> None:
    """Every inbound stream of that kind has stopped: its bytes stay the same for ``quiet_ms`` (the details
    refresh every second; a voice sends 50 packets a second, a camera some 30 frames)."""
    page.evaluate("delete window.__stopped")
    page.wait_for_function(f"""([kind, quiet]) => {{
        const rows = {_ROWS};
        const key = rows.map((r) => r.dataset.bytes).join(' ');
        const w = (window.__stopped ??= {{key: null, since: 0}});
        const now = performance.now();
        if (w.key !== key) {{
            w.key = key;
            w.since = now;
            return false;
        }}
        return rows.length > 0 && now - w.since >= quiet;
    }}""", arg=[kind, quiet_ms], polling=200)


def wait_video_plays(page: Any, selector: str) -> None:
    """The video element under ``selector`` has a picture (a size) and its time advances."""
    page.wait_for_function("""(sel) => { const v = document.querySelector(sel);
        return v && v.videoWidth > 0 && v.currentTime > 0; }""", arg=selector)
    t = page.evaluate("(sel) => document.querySelector(sel).currentTime", selector)
    page.wait_for_function("([sel, t]) => document.querySelector(sel).currentTime > t", arg=[selector, t])


def incoming(page: Any, caller: str) -> Any:
    """The ringing notice of a DM call from ``caller``."""
    return page.get_by_role("alertdialog", name="Incoming call").filter(has_text=f"{caller} is calling you")


def ring_decline_answer(caller: Any, callee: Any, caller_name: str) -> None:
    """``caller``, on the DM's page, starts a call: ``callee``'s notice rings and ``callee`` declines it (the
    notice goes); ``caller`` leaves and calls again: ``callee`` answers from the notice and is in the call."""
    caller.get_by_role("button", name="Start call").click()
    notice = incoming(callee, caller_name)
    notice.wait_for()
    notice.get_by_role("button", name="Decline").click()
    notice.wait_for(state="detached")
    caller.get_by_role("button", name="Leave").click()
    bar(caller).wait_for(state="detached")

    caller.get_by_role("button", name="Start call").click()
    notice.wait_for()
    notice.get_by_role("button", name="Join").click()
    notice.wait_for(state="detached")
    connected(callee).wait_for()
