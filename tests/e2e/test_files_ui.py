"""The web UI's attachments, slash commands and integrations pages against a real server process."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import (
    composer,
    login,
    new_page,
    open_channel,
    page_for,
    post_by_text,
    send,
    team_with,
)

pytestmark = pytest.mark.e2e


def png_bytes(w: int = 640, h: int = 400) -> bytes:
    img = Image.new("RGB", (w, h))
    px = img.load()
    assert px is not None
    for x in range(w):
        for y in range(h):
            px[x, y] = (x * 255 // w, y * 255 // h, 160)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    return team_with(chinwag, "carol", "dave")


@pytest.fixture(scope="module")
def carol(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> Iterator[Any]:
    yield from page_for(browser, chinwag, "carol")


@pytest.fixture(scope="module")
def dave(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> Iterator[Any]:
    yield from page_for(browser, chinwag, "dave")


def test_attach_an_image_and_a_text_file(carol: Any, dave: Any) -> None:
    open_channel(carol, "Town Square")
    open_channel(dave, "Town Square")
    carol.get_by_test_id("file-input").set_input_files([
        {"name": "gradient.png", "mimeType": "image/png", "buffer": png_bytes()},
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"shopping list\n- milk\n- eggs\n" * 40},
    ])
    attached = carol.get_by_role("list", name="Attached files")
    attached.get_by_text("gradient.png").wait_for()
    attached.get_by_text("notes.txt").wait_for()
    carol.wait_for_function("!document.querySelector('.uploads [role=progressbar]')")
    shot(carol, "20-composer-attachments")
    # A pending file can be removed again.
    carol.get_by_test_id("file-input").set_input_files(
        [{"name": "oops.txt", "mimeType": "text/plain", "buffer": b"not this one"}])
    attached.get_by_text("oops.txt").wait_for()
    carol.get_by_role("button", name="Remove oops.txt").click()
    assert attached.get_by_text("oops.txt").count() == 0

    send(carol, "here are the files")
    expect(carol.locator(".uploads")).to_have_count(0)  # the attachments go with the message
    post = post_by_text(dave, "here are the files")
    post.wait_for()
    thumb = post.get_by_role("button", name="Open image gradient.png")
    thumb.wait_for()
    dave.wait_for_function(
        "document.querySelector('.file-thumb__img')?.complete && document.querySelector('.file-thumb__img').naturalWidth > 0")
    card = post.locator(".file-card")
    assert "notes.txt" in card.inner_text()
    assert "KB" in card.inner_text()
    href = card.get_by_role("link", name="Download notes.txt").get_attribute("href")
    assert href and href.endswith("?download=1")
    shot(dave, "21-message-with-files")

    thumb.click()
    box = dave.get_by_role("dialog", name="gradient.png")
    box.wait_for()
    assert box.get_by_role("link", name="Download").is_visible()
    shot(dave, "22-lightbox")
    dave.keyboard.press("Escape")
    box.wait_for(state="detached")
    assert dave.evaluate("document.activeElement?.getAttribute('aria-label')") == "Open image gradient.png"
    assert not carol.errors and not dave.errors, (carol.errors, dave.errors)


DROP_JS = """([selector, name, type, text, events]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, {type}));
    const el = document.querySelector(selector);
    for (const ev of events) {
        el.dispatchEvent(new DragEvent(ev, {bubbles: true, cancelable: true, dataTransfer: dt}));
    }
}"""

PASTE_JS = """async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'image.png', {type: 'image/png'}));
    const box = document.querySelector('#composer textarea');
    box.focus();
    box.dispatchEvent(new ClipboardEvent('paste', {bubbles: true, cancelable: true, clipboardData: dt}));
}"""


def test_drop_and_paste_attach_files(carol: Any, dave: Any) -> None:
    import base64

    open_channel(carol, "Town Square")
    carol.evaluate(DROP_JS, [".post-list", "dropped.csv", "text/csv", "", ["dragenter", "dragover"]])
    carol.get_by_text("Drop files to attach them to your message").wait_for()
    shot(carol, "29-drop-overlay")
    carol.evaluate(DROP_JS, [".post-list", "dropped.csv", "text/csv", "a,b\n1,2\n", ["drop"]])
    assert carol.get_by_text("Drop files to attach them").count() == 0
    attached = carol.get_by_role("list", name="Attached files")
    attached.get_by_text("dropped.csv").wait_for()
    carol.evaluate(PASTE_JS, base64.b64encode(png_bytes(120, 80)).decode())
    attached.get_by_text("Pasted image").wait_for()
    carol.wait_for_function("!document.querySelector('.uploads [role=progressbar]')")
    carol.locator("#composer textarea").press("Enter")  # files alone, no text
    carol.wait_for_function("!document.querySelector('.uploads')")
    post = dave.locator(".post-list article.post", has=dave.locator(".file-card", has_text="dropped.csv")).last
    post.wait_for()
    post.get_by_role("button", name="Open image Pasted image").wait_for()


def test_upload_progress_and_cancel(carol: Any) -> None:
    open_channel(carol, "Town Square")
    cdp = carol.context.new_cdp_session(carol)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 50, "downloadThroughput": -1, "uploadThroughput": 256 * 1024})
    try:
        carol.get_by_test_id("file-input").set_input_files(
            [{"name": "slow.bin", "mimeType": "application/octet-stream", "buffer": b"z" * (3 * 1024 * 1024)}])
        bar = carol.get_by_role("progressbar", name="Uploading slow.bin")
        bar.wait_for()
        carol.wait_for_function(
            "Number(document.querySelector('.upload__bar')?.getAttribute('aria-valuenow')) > 0")
        shot(carol, "30-upload-progress")
        assert carol.get_by_role("button", name="Send").is_disabled()
        carol.get_by_role("button", name="Remove slow.bin").click()
        assert carol.locator(".uploads").count() == 0
    finally:
        cdp.send("Network.emulateNetworkConditions",
                 {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        cdp.detach()


def test_an_oversized_file_is_refused_clearly(browser: Any) -> None:
    srv = ServerProcess(MM_FILESETTINGS_MAXFILESIZE="1024").start()
    try:
        srv.create_user("erin")
        token = srv.login("erin")
        with srv.api(token) as c:
            r = c.post("/teams", json={"name": "small", "display_name": "Small", "type": "O"})
            assert r.status_code == 201, r.text
        page = new_page(browser)
        login(page, srv.url, "erin")
        page.get_by_test_id("file-input").set_input_files(
            [{"name": "big.bin", "mimeType": "application/octet-stream", "buffer": b"x" * 5000}])
        err = page.get_by_role("list", name="Attached files").get_by_role("alert")
        err.wait_for()
        assert "too large" in err.inner_text() and "1 KB" in err.inner_text()
        shot(page, "25-file-too-large")
        page.get_by_role("button", name="Remove big.bin").click()
        assert page.locator(".uploads").count() == 0
        page.context.close()
    finally:
        srv.stop()


def test_slash_commands(carol: Any, dave: Any) -> None:
    open_channel(carol, "Town Square")
    box = composer(carol)
    box.fill("")
    box.press_sequentially("/ec")
    suggestion = carol.get_by_role("option", name="/echo")
    suggestion.wait_for()
    shot(carol, "23-slash-autocomplete")
    box.press("Enter")
    expect(box).to_have_value("/echo ")
    suggestion.wait_for(state="hidden")  # the suggestions have closed, as a person would see
    # a text of this run's own: a rerun of the test meets the first try's post in the channel
    said = f"hello from echo {secrets.token_hex(3)}"
    box.press_sequentially(said)
    expect(box).to_have_value(f"/echo {said}")
    box.press("Enter")
    expect(box).to_have_value("")
    post_by_text(dave, said).wait_for()
    # carol's own page has it once (it comes over her WebSocket, maybe after dave's)
    expect(carol.locator(".post-list article.post", has_text=said)).to_have_count(1)

    send(carol, "/shrug oh well")
    post_by_text(dave, "oh well ¯\\_(ツ)_/¯").wait_for()

    # An ephemeral answer is shown to the one who ran the command only.
    send(carol, "/away")
    note = carol.locator("article.post--ephemeral", has_text="You are now away")
    note.wait_for()
    assert "(Only visible to you)" in note.inner_text()
    shot(carol, "24-ephemeral")
    assert dave.locator("article.post--ephemeral").count() == 0
    send(carol, "/online")

    # goto_location is followed: /join opens the channel it joined. (The trailing space closes the
    # ~channel suggestions; while they are open, Enter picks a suggestion instead of sending — as in
    # Mattermost — and whether they have opened by then is a race.)
    send(carol, "/join ~off-topic ")
    carol.wait_for_url("**/acme/channels/off-topic")
    carol.get_by_role("heading", name="Off-Topic", exact=True, level=1).wait_for()
    open_channel(carol, "Town Square")

    # An unknown command is an error, not a post.
    box.fill("/nosuchcommand")
    box.press("Enter")
    carol.locator("#composer [role=alert]").wait_for()
    assert "nosuchcommand" in carol.locator("#composer [role=alert]").inner_text()
    box.fill("")


def test_integrations_page_incoming_webhook(browser: Any, chinwag: ServerProcess, carol: Any) -> None:
    import httpx

    admin = new_page(browser)
    login(admin, chinwag.url, "admin")
    admin.get_by_role("button", name="Acme menu").click()
    admin.get_by_role("menuitem", name="Integrations").click()
    admin.wait_for_url("**/acme/integrations/incoming_webhooks")
    admin.get_by_role("heading", name="Integrations", level=1).wait_for()
    admin.get_by_text("No incoming webhooks yet.").wait_for()

    admin.get_by_role("button", name="Add incoming webhook").click()
    form = admin.get_by_role("form", name="New incoming webhook")
    form.get_by_label("Title").fill("CI")
    form.get_by_label("Description").fill("Build results")
    form.get_by_label("Channel", exact=True).select_option(label="Town Square")
    form.get_by_role("button", name="Save").click()
    row = admin.locator("li.integration", has_text="CI")
    row.wait_for()
    url = row.locator("code").inner_text()
    assert url.startswith(chinwag.url + "/hooks/")
    shot(admin, "26-integrations-incoming")

    open_channel(carol, "Town Square")
    r = httpx.post(url, json={"text": "Build **#42** passed", "username": "ci-bot"}, timeout=10)
    assert r.status_code == 200, r.text
    post = post_by_text(carol, "passed")
    post.wait_for()
    assert post.locator("strong", has_text="#42").count() == 1
    assert post.locator(".pill--bot").count() == 1  # posted by a webhook
    shot(carol, "27-webhook-message-live")

    # A slash command, then deleting it again.
    admin.get_by_role("tab", name="Slash commands").click()
    admin.wait_for_url("**/acme/integrations/commands")
    admin.get_by_text("No slash commands yet.").wait_for()
    admin.get_by_role("button", name="Add slash command").click()
    form = admin.get_by_role("form", name="New slash command")
    form.get_by_label("Title").fill("Deploy")
    form.get_by_label("Trigger word").fill("/deploy")
    form.get_by_label("Request URL").fill("http://127.0.0.1:9/deploy")
    form.get_by_role("button", name="Save").click()
    admin.locator("li.integration", has_text="/deploy").wait_for()
    shot(admin, "28-integrations-commands")
    admin.get_by_role("button", name="Delete /deploy").click()
    admin.get_by_role("dialog").get_by_role("button", name="Delete").click()
    admin.get_by_text("No slash commands yet.").wait_for()

    # An outgoing webhook with trigger words shows its token.
    admin.get_by_role("tab", name="Outgoing webhooks").click()
    admin.get_by_text("No outgoing webhooks yet.").wait_for()
    admin.get_by_role("button", name="Add outgoing webhook").click()
    form = admin.get_by_role("form", name="New outgoing webhook")
    form.get_by_label("Title").fill("Deployer")
    form.get_by_label("Trigger words").fill("deploy, ship")
    form.get_by_label("Callback URLs").fill("http://127.0.0.1:9/out")
    shot(admin, "31-integrations-outgoing-form")
    form.get_by_role("button", name="Save").click()
    row = admin.locator("li.integration", has_text="Deployer")
    row.wait_for()
    assert "triggers: deploy, ship" in row.inner_text()
    assert len(row.locator("code").inner_text()) == 26

    # Bot creation is off by default: the page says so instead of offering a form.
    admin.get_by_role("tab", name="Bot accounts").click()
    admin.get_by_role("note").get_by_text("Creating bot accounts is turned off").wait_for()
    assert admin.get_by_role("button", name="Add bot account").count() == 0
    admin.get_by_text("No bot accounts yet.").wait_for()
    shot(admin, "32-integrations-bots-off")
    assert not admin.errors, admin.errors
    admin.context.close()
