"""A Janus-backed call whose participants are all apps (one connection each, bridged): they meet in the
embedded SFU, and nobody on Janus would receive their streams, so the bridge publishes nothing into the
VideoRoom room. A two-connection participant (chinwag's web UI) joins: the apps' voices are published and
reach it. It leaves: they are taken out of the room again (VideoRoom ``unpublish``), while the apps go on
hearing each other. Janus's own view of the room (``listparticipants``: who publishes) is what is checked."""

from __future__ import annotations

import pytest

from chinwag.plugin.bundled.calls.server.janus import Janus
from tests.compat.conftest import LiveServer
from tests.compat.janus_server import API_SECRET, JanusServer, janus_available
from tests.compat.test_calls import Participant
from tests.compat.test_calls_janus_bridge import WebMember, growing_from, janus_call, janus_fixture
from tests.waiting import until_async

pytestmark = [pytest.mark.compat,
              pytest.mark.skipif(not janus_available(), reason="Debian's janus package is not installed "
                                 "(scripts/test_system_deps.sh installs it)")]


janus_server = janus_fixture((49000, 49999))


async def publishers(janus: Janus, handle: int) -> list[tuple[int, bool]]:
    """Every room's participants on this Janus, with whether each publishes."""
    rooms, _ = await janus.message(handle, {"request": "list"})
    out: list[tuple[int, bool]] = []
    for room in rooms.get("list") or []:
        data, _ = await janus.message(handle, {"request": "listparticipants", "room": room["room"]})
        out += [(int(p["id"]), bool(p.get("publisher"))) for p in data.get("participants") or []]
    return out


async def test_apps_alone_publish_nothing_into_the_room(live_server: LiveServer, janus_server: JanusServer) -> None:
    janus = await Janus(janus_server.url, API_SECRET).connect()
    handle = await janus.attach()
    async with janus_call(live_server, janus_server) as call:
        channel_id = call.channel_id
        (u1, _, t1), (u2, _, t2), (u3, _, t3) = call.users
        app1, app2, web = Participant(live_server, t1, u1), Participant(live_server, t2, u2), WebMember(live_server, t3, u3)
        await call.connect(app1, app2, web)
        await app1.join(channel_id)
        await app1.event("call_start", channelID=channel_id)
        await app2.join(channel_id)
        await growing_from(app1, {app2.session_id})
        await growing_from(app2, {app1.session_id})
        # the two apps are in the room (their publisher handles joined), neither publishes
        seen = await publishers(janus, handle)
        assert len(seen) == 2 and not any(pub for _, pub in seen), seen

        # somebody on Janus itself: the apps' voices go into the room, and reach it
        await web.join(channel_id)
        await growing_from(web, {app1.session_id, app2.session_id})
        seen = await publishers(janus, handle)
        assert sorted(pub for _, pub in seen) == [True, True, True], seen

        # it leaves: the apps' streams are taken out again; they still hear each other
        await web.send("leave")
        await app1.event("user_left", session_id=web.session_id)
        last: list[tuple[int, bool]] = []

        async def unpublished() -> bool:
            nonlocal last
            last = await publishers(janus, handle)
            return len(last) == 2 and not any(pub for _, pub in last)

        await until_async(unpublished, timeout=30)
        assert len(last) == 2 and not any(pub for _, pub in last), last
        await growing_from(app1, {app2.session_id})
        await growing_from(app2, {app1.session_id})
    await janus.close()
