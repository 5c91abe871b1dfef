"""Link previews on both databases: POST /opengraph and a post's ``metadata.embeds`` (type opengraph),
fetched from a page on loopback through the internal-address guard."""

from __future__ import annotations

from tests.conftest import World, assert_error
from tests.receiver import receiver

PAGE = """<!doctype html><html><head><title>Ignored</title>
<meta property="og:type" content="article">
<meta property="og:title" content="Release &amp; notes">
<meta property="og:description" content="What changed">
<meta property="og:site_name" content="Example">
<meta property="og:url" content="https://canonical.example/notes">
<meta property="og:image" content="/img/cover.png">
<meta property="og:image:width" content="640"><meta property="og:image:height" content="480">
<meta property="og:locale:alternate" content="fr_FR">
</head><body><meta property="og:title" content="after body is not read"></body></html>"""


async def test_opengraph_endpoint_and_embeds(world: World) -> None:
    admin = await world.user("admin")
    team = await world.team(admin)
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    s = world.srv.config.effective.ServiceSettings
    async with receiver() as rec:
        url = rec.url + "/notes"
        assert_error(await admin.post("/opengraph", {}), 400, "api.context.invalid_param.app_error")
        # the guard: loopback is refused unless allowed; the answer is empty, not an error
        r = await admin.post("/opengraph", {"url": url})
        assert r.status_code == 200 and r.json() == {"url": ""}
        assert rec.requests == []

        s.AllowedUntrustedInternalConnections = "127.0.0.1"
        rec.answer(PAGE, content_type="text/html; charset=utf-8")
        r = await admin.post("/opengraph", {"url": url + "?a=1"})
        assert r.status_code == 200, r.text
        og = r.json()
        assert og == {
            "type": "article", "url": url + "?a=1", "title": "Release & notes", "description": "What changed",
            "determiner": "", "site_name": "Example", "locale": "", "locales_alternate": ["fr_FR"],
            "images": [{"url": rec.url + "/img/cover.png", "secure_url": "", "type": "", "width": 640,
                        "height": 480}],
            "audios": None, "videos": None}
        assert rec.requests[0].headers["user-agent"] == "Mattermost-Bot/1.1"

        # a new post with a link carries the preview; reading it again does not fetch again
        rec.answer(PAGE, content_type="text/html")
        r = await admin.post("/posts", {"channel_id": town["id"], "message": f"see {url} and https://other.example"})
        assert r.status_code == 201, r.text
        embeds = r.json()["metadata"]["embeds"]
        assert embeds == [{"type": "opengraph", "url": url, "data": {**og, "url": url}}]
        # the preview image's size, from the page, as Mattermost's metadata.images
        assert r.json()["metadata"]["images"] == {
            rec.url + "/img/cover.png": {"width": 640, "height": 480, "format": "png", "frame_count": 0}}
        n = len(rec.requests)
        feed = (await admin.get(f"/channels/{town['id']}/posts")).json()
        assert feed["posts"][r.json()["id"]]["metadata"]["embeds"] == embeds
        assert len(rec.requests) == n
        # links inside code are not previewed; a page that is not HTML gives no embed
        r = await admin.post("/posts", {"channel_id": town["id"], "message": f"`{url}/code`"})
        assert "embeds" not in r.json()["metadata"]
        rec.answer("{}", content_type="application/json")
        r = await admin.post("/posts", {"channel_id": town["id"], "message": f"{url}/json"})
        assert r.status_code == 201 and "embeds" not in r.json()["metadata"]

        # a redirect is followed for the preview, each hop through the guard
        rec.answer("", status=302, headers={"location": "/moved"})
        rec.answer(PAGE, content_type="text/html")
        r = await admin.post("/opengraph", {"url": url + "/short"})
        assert r.json()["title"] == "Release & notes" and rec.requests[-1].path == "/moved"

        # GET /redirect_location: where a short link leads (remembered for an hour)
        rec.answer("", status=301, headers={"location": "https://long.example/article"})
        r = await admin.get("/redirect_location", params={"url": url + "/s"})
        assert r.status_code == 200 and r.json() == {"location": "https://long.example/article"}
        assert rec.requests[-1].method == "HEAD"
        n = len(rec.requests)
        assert (await admin.get("/redirect_location", params={"url": url + "/s"})).json()["location"] \
            == "https://long.example/article"
        assert len(rec.requests) == n
        assert_error(await admin.get("/redirect_location"), 400, "api.context.invalid_param.app_error")

        s.EnableLinkPreviews = False
        assert (await admin.get("/redirect_location", params={"url": url})).json() == {"location": ""}
        assert_error(await admin.post("/opengraph", {"url": url}), 501, "api.post.link_preview_disabled.app_error")
        feed = (await admin.get(f"/channels/{town['id']}/posts")).json()
        assert not any("embeds" in p["metadata"] for p in feed["posts"].values())
