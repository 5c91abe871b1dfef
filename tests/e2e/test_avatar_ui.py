"""Profile pictures in the web UI: upload and frame one in Account settings → Profile; it appears on
the author's posts (for them and, live, for others), in the sidebar DM, member list and mention
autocomplete; removing it brings back the generated picture."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.e2e.conftest import ARTIFACTS, shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page, send, team_with

pytestmark = pytest.mark.e2e

ORANGE = (255, 140, 0)

#: the colour at the middle of an <img> as the browser decoded it
CENTRE_PIXEL = """(img) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    return Array.from(g.getImageData(c.width / 2, c.height / 2, 1, 1).data.slice(0, 3));
}"""


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    return team_with(chinwag, "gwen", "hugo")


def orange_photo(tmp: Path) -> Path:
    img = Image.new("RGB", (480, 320), ORANGE)
    img.paste(Image.new("RGB", (80, 320), (20, 20, 160)), (0, 0))  # a blue edge the centred crop leaves out
    path = tmp / "photo.jpg"
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95)
    path.write_bytes(out.getvalue())
    return path


def close(a: list[int], b: tuple[int, int, int], tol: int = 30) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def test_uploaded_avatar_appears_on_posts(browser: Any, chinwag: ServerProcess, world: dict[str, Any],
                                          tmp_path: Path) -> None:
    gwen = new_page(browser)
    login(gwen, chinwag.url, "gwen")
    hugo = new_page(browser)
    login(hugo, chinwag.url, "hugo")
    send(gwen, "Hello before the picture")
    post_avatar = gwen.locator(".post-list article.post", has_text="Hello before the picture").locator(".post__avatar img")
    before = post_avatar.get_attribute("src")
    assert before and before.endswith("/image")  # Client4 adds ?_= only once there is a picture

    gwen.get_by_role("button", name="Acme menu").click()
    gwen.get_by_role("menuitem", name="Account settings").click()
    dialog = gwen.get_by_role("dialog", name="Account settings")
    dialog.get_by_test_id("picture-input").set_input_files(str(orange_photo(tmp_path)))
    frame = dialog.get_by_role("img", name="Drag to frame your picture", exact=False)
    frame.wait_for()
    dialog.get_by_role("slider", name="Zoom").fill("1.5")
    shot(gwen, "70-avatar-crop")
    dialog.get_by_role("button", name="Save picture").click()
    dialog.get_by_role("button", name="Remove picture").wait_for()
    with chinwag.api(chinwag.login("gwen")) as c:
        lpu = c.get("/users/me").json()["last_picture_update"]
    assert lpu > 0
    dialog.get_by_role("button", name="Close").first.click()

    # on gwen's own post, with the cache-buster of the new picture, showing the orange crop
    gwen.wait_for_function(f"document.querySelector('.post-list .post__avatar img').src.endsWith('_={lpu}')")
    img = post_avatar.element_handle()
    gwen.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=img)
    assert close(img.evaluate(CENTRE_PIXEL), ORANGE)
    send(gwen, "Hello with the picture")
    shot(gwen, "71-avatar-on-posts")

    # hugo sees it live (user_updated), on the posts and in the DM sidebar after a direct message
    hugo.locator(".post-list article.post", has_text="Hello with the picture").wait_for()
    # (the second post continues the first one's group: the avatar heads the group)
    hugo_post = hugo.locator(".post-list article.post", has_text="Hello before the picture").locator(".post__avatar img")
    hugo.wait_for_function(
        f"[...document.querySelectorAll('.post-list .post__avatar img')].every(i => i.src.endsWith('_={lpu}'))")
    handle = hugo_post.element_handle()
    hugo.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=handle)
    assert close(handle.evaluate(CENTRE_PIXEL), ORANGE)
    # the member list and the mention autocomplete show it too
    hugo.get_by_role("button", name="Members", exact=False).first.click()
    member = hugo.locator(".member-list__item", has_text="@gwen").locator(".avatar img")
    member.wait_for()
    assert member.get_attribute("src").endswith(f"_={lpu}")
    box = hugo.locator("#composer textarea")
    box.fill("@gw")
    option = hugo.get_by_role("option", name="@gwen", exact=False)
    option.wait_for()
    assert option.locator(".avatar img").get_attribute("src").endswith(f"_={lpu}")
    box.fill("")
    shot(hugo, "72-avatar-seen-by-others")

    # removing it brings the generated picture back everywhere
    gwen.get_by_role("button", name="Acme menu").click()
    gwen.get_by_role("menuitem", name="Account settings").click()
    dialog.get_by_role("button", name="Remove picture").click()
    dialog.get_by_role("button", name="Upload a picture").wait_for()
    hugo.wait_for_function("[...document.querySelectorAll('.post-list .post__avatar img')].every(i => i.src.endsWith('/image'))")
    assert not gwen.errors and not hugo.errors, (gwen.errors, hugo.errors)
    gwen.context.close()
    hugo.context.close()
    assert (ARTIFACTS / "71-avatar-on-posts.png").exists()
