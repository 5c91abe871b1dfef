"""The prepackaged memes plugin: /meme renders a template with Pillow and posts the picture."""

from __future__ import annotations

import io

from PIL import Image

from tests.api.helpers import team_with
from tests.conftest import World

PLUGIN = "memes"


async def test_meme_command(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    channel = await world.channel(bob, t.team, "fun")
    assert (await admin.post(f"/plugins/{PLUGIN}/enable")).status_code == 200

    listed = (await bob.get(f"/teams/{t.id}/commands/autocomplete")).json()
    assert any(c["trigger"] == "meme" for c in listed)
    # the templates are offered as the command's first argument
    r = await bob.get(f"/teams/{t.id}/commands/autocomplete_suggestions", params={"user_input": "/meme c"})
    assert r.status_code == 200, r.text
    assert [(x["Complete"], x["Suggestion"]) for x in r.json()] == [("meme choice", "choice"), ("meme classic", "classic")]
    assert r.json()[1]["Description"].startswith("A smiling sun")
    r = await bob.get(f"/teams/{t.id}/commands/autocomplete_suggestions", params={"user_input": "/meme classic x"})
    assert r.json() == []
    r = await bob.post("/commands/execute", {"channel_id": channel["id"], "command": "/meme"})
    assert r.status_code == 200, r.text
    help_text = r.json()["text"]
    assert "`classic` - " in help_text and "`galaxy` - " in help_text and "(4 text boxes)" in help_text
    r = await bob.post("/commands/execute", {"channel_id": channel["id"], "command": "/meme nope \"x\""})
    assert r.json()["text"].startswith("Unknown template `nope`.")
    r = await bob.post("/commands/execute", {"channel_id": channel["id"], "command": "/meme classic \"unbalanced"})
    assert r.json()["text"].startswith("Unbalanced quotes.")

    blank = (await bob.http.get("http://localhost:8065/plugins/memes/templates/classic.png")).content
    r = await bob.post("/commands/execute",
                       {"channel_id": channel["id"], "command": '/meme classic "memes." "memes everywhere"'})
    assert r.status_code == 200, r.text
    posts = (await bob.get(f"/channels/{channel['id']}/posts")).json()
    post = posts["posts"][posts["order"][0]]
    assert post["user_id"] == bob.user["id"] and post["props"]["meme_template"] == "classic"
    assert len(post["file_ids"]) == 1
    info = post["metadata"]["files"][0]
    assert info["mime_type"] == "image/png" and info["name"] == "meme-classic.png"
    data = (await bob.get(f"/files/{info['id']}")).content
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (600, 600)
        rendered = img.convert("RGB")
    with Image.open(io.BytesIO(blank)) as b:
        template = b.convert("RGB")
    # the text is drawn into the top and bottom boxes (white letters with a black outline) and nowhere else
    top = [rendered.getpixel((x, y)) != template.getpixel((x, y)) for x in range(0, 600, 3) for y in range(10, 160, 3)]
    middle = [rendered.getpixel((x, y)) != template.getpixel((x, y)) for x in range(0, 600, 3) for y in range(200, 420, 3)]
    assert sum(top) > 50 and not any(middle)
    assert any(rendered.getpixel((x, y)) == (255, 255, 255) for x in range(0, 600) for y in range(440, 590, 2))
