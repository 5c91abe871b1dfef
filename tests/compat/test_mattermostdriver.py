"""The PyPI `mattermostdriver` (7.3.2) against a real `chinwag serve`, through its normal calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from mattermostdriver import Driver
from mattermostdriver.exceptions import (
    InvalidOrMissingParameters,
    NotEnoughPermissions,
    ResourceNotFound,
)

from tests.compat.conftest import LiveServer

pytestmark = pytest.mark.compat

PASSWORD = "compat-password"


def driver(server: LiveServer, login_id: str, password: str = PASSWORD) -> Driver:
    d = Driver(server.driver_options(login_id, password))
    me = d.login()
    assert isinstance(me, dict), f"login did not return the user JSON: {me!r}"
    assert d.client.token and d.client.userid == me["id"]
    return d


@dataclass
class Scene:
    admin: Driver
    team: dict[str, Any]
    users: dict[str, Driver]

    def uid(self, name: str) -> str:
        return str(self.users[name].client.userid)


def scene(server: LiveServer, *names: str) -> Scene:
    """A fresh team (created by the first user, who is then its admin) with the given users in it."""
    admin = driver(server, server.admin_username, server.admin_password)
    users: dict[str, Driver] = {}
    created = []
    for name in names:
        username = server.unique(name)
        u = admin.users.create_user({"username": username, "email": f"{username}@example.com",
                                     "password": PASSWORD})
        assert u["username"] == username and "password" not in u
        created.append(u)
        users[name] = driver(server, username)
    owner = users[names[0]]
    team = owner.teams.create_team({"name": server.unique("team"), "display_name": "Compat Team", "type": "O"})
    for u in created[1:]:
        member = owner.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": u["id"]})
        assert member["team_id"] == team["id"] and member["user_id"] == u["id"]
    return Scene(admin, team, users)


def newest_first(*posts: dict[str, Any]) -> list[str]:
    """Ids in a PostList's order: create_at descending (ties: id descending)."""
    return [p["id"] for p in sorted(posts, key=lambda p: (p["create_at"], p["id"]), reverse=True)]


def channel_by_name(d: Driver, team_id: str, name: str) -> dict[str, Any]:
    return dict(d.channels.get_channel_by_name(team_id, name))


def test_login_me_and_team(live_server: LiveServer) -> None:
    s = scene(live_server, "alice", "bob")
    alice = s.users["alice"]
    me = alice.users.get_user("me")
    assert me["id"] == s.uid("alice") and me["roles"] == "system_user"
    team = alice.teams.get_team_by_name(s.team["name"])
    assert team["id"] == s.team["id"] and team["type"] == "O"
    assert [t["id"] for t in alice.teams.get_user_teams("me")] == [s.team["id"]]
    members = alice.teams.get_team_members_for_user("me")
    assert members[0]["roles"] == "team_user team_admin"
    bob_member = alice.teams.get_team_member(s.team["id"], s.uid("bob"))
    assert bob_member["roles"] == "team_user"
    # joining a team joins its default channels
    for d in (alice, s.users["bob"]):
        names = {c["name"] for c in d.channels.get_channels_for_user("me", s.team["id"])}
        assert {"town-square", "off-topic"} <= names
    with pytest.raises(ResourceNotFound):
        alice.teams.get_team_by_name(live_server.unique("nosuchteam"))


def test_channels_members_and_privacy(live_server: LiveServer) -> None:
    s = scene(live_server, "alice", "bob", "carol")
    alice, bob, carol = s.users["alice"], s.users["bob"], s.users["carol"]
    tid = s.team["id"]
    public = alice.channels.create_channel({"team_id": tid, "name": "compat-public", "display_name": "Public",
                                            "type": "O", "purpose": "testing"})
    assert public["type"] == "O" and public["team_id"] == tid and public["creator_id"] == s.uid("alice")
    private = alice.channels.create_channel({"team_id": tid, "name": "compat-private",
                                             "display_name": "Private", "type": "P"})
    assert private["type"] == "P"
    with pytest.raises(InvalidOrMissingParameters):
        alice.channels.create_channel({"team_id": tid, "name": "Bad Name!", "display_name": "x", "type": "O"})
    with pytest.raises(InvalidOrMissingParameters):
        alice.channels.create_channel({"team_id": tid, "name": "compat-public", "display_name": "Dup",
                                       "type": "O"})

    member = alice.channels.add_user(private["id"], {"user_id": s.uid("bob")})
    assert member["channel_id"] == private["id"] and member["user_id"] == s.uid("bob")
    assert {m["user_id"] for m in bob.channels.get_channel_members(private["id"])} == {s.uid("alice"), s.uid("bob")}

    # carol is not in the private channel: she cannot see it, its posts or its members
    with pytest.raises(NotEnoughPermissions):
        carol.channels.get_channel(private["id"])
    with pytest.raises(NotEnoughPermissions):
        carol.posts.get_posts_for_channel(private["id"])
    with pytest.raises(NotEnoughPermissions):
        carol.posts.create_post({"channel_id": private["id"], "message": "let me in"})
    with pytest.raises(NotEnoughPermissions):
        carol.channels.add_user(private["id"], {"user_id": s.uid("carol")})
    # ...but she can join the public one herself
    joined = carol.channels.add_user(public["id"], {"user_id": s.uid("carol")})
    assert joined["user_id"] == s.uid("carol")
    assert channel_by_name(carol, tid, "compat-public")["id"] == public["id"]

    # archive and restore
    alice.channels.delete_channel(public["id"])
    assert alice.channels.get_channel(public["id"])["delete_at"] > 0
    with pytest.raises(InvalidOrMissingParameters):
        alice.posts.create_post({"channel_id": public["id"], "message": "into the archive"})
    restored = alice.channels.restore_channel(public["id"])
    assert restored["delete_at"] == 0

    # bob leaves the private channel; now he is locked out too
    bob.channels.remove_channel_member(private["id"], s.uid("bob"))
    with pytest.raises(NotEnoughPermissions):
        bob.channels.get_channel(private["id"])
    with pytest.raises(InvalidOrMissingParameters):
        alice.channels.get_channel("not-an-id")


def test_posts_replies_reactions(live_server: LiveServer) -> None:
    s = scene(live_server, "alice", "bob")
    alice, bob = s.users["alice"], s.users["bob"]
    town = channel_by_name(alice, s.team["id"], "town-square")

    root = alice.posts.create_post({"channel_id": town["id"], "message": "hello #compat",
                                    "props": {"from_test": "yes"}})
    assert root["user_id"] == s.uid("alice") and root["root_id"] == "" and root["hashtags"] == "#compat"
    assert root["props"] == {"from_test": "yes"} and root["file_ids"] == [] and root["edit_at"] == 0
    reply = bob.posts.create_post({"channel_id": town["id"], "message": "hi alice", "root_id": root["id"]})
    assert reply["root_id"] == root["id"]
    reply2 = alice.posts.create_post({"channel_id": town["id"], "message": "again", "root_id": root["id"]})

    thread = bob.posts.get_thread(root["id"])
    assert thread["order"] == newest_first(reply2, reply, root)
    got_root = thread["posts"][root["id"]]
    assert got_root["reply_count"] == 2 and got_root["last_reply_at"] == reply2["create_at"]
    assert {p["id"] for p in got_root["participants"]} == {s.uid("alice"), s.uid("bob")}
    with pytest.raises(InvalidOrMissingParameters):
        bob.posts.create_post({"channel_id": town["id"], "message": "x", "root_id": reply["id"]})

    # reactions
    reaction = bob.reactions.create_reaction({"user_id": s.uid("bob"), "post_id": root["id"],
                                              "emoji_name": "thumbsup"})
    assert reaction["post_id"] == root["id"] and reaction["emoji_name"] == "thumbsup"
    assert reaction["user_id"] == s.uid("bob") and reaction["create_at"] > 0
    alice.reactions.create_reaction({"user_id": s.uid("alice"), "post_id": root["id"], "emoji_name": "tada"})
    with pytest.raises(NotEnoughPermissions):
        alice.reactions.create_reaction({"user_id": s.uid("bob"), "post_id": root["id"], "emoji_name": "smile"})
    listed = alice.reactions.get_reactions_of_post(root["id"])
    assert sorted((r["user_id"], r["emoji_name"]) for r in listed) == sorted(
        [(s.uid("bob"), "thumbsup"), (s.uid("alice"), "tada")])
    post = alice.posts.get_post(root["id"])
    assert post["has_reactions"] is True
    assert {r["emoji_name"] for r in post["metadata"]["reactions"]} == {"thumbsup", "tada"}
    assert bob.reactions.delete_reaction(s.uid("bob"), root["id"], "thumbsup")["status"] == "OK"
    assert [r["emoji_name"] for r in alice.reactions.get_reactions_of_post(root["id"])] == ["tada"]

    # edit, pin, delete
    edited = alice.posts.patch_post(root["id"], {"message": "hello again"})
    assert edited["message"] == "hello again" and edited["edit_at"] > 0
    with pytest.raises(NotEnoughPermissions):
        bob.posts.patch_post(root["id"], {"message": "hijacked"})
    assert alice.posts.get_post(root["id"])["message"] == "hello again"
    alice.posts.pin_post_to_channel(root["id"])
    pinned = bob.channels.get_channel_pinned_posts(town["id"])
    assert pinned["order"] == [root["id"]] and pinned["posts"][root["id"]]["is_pinned"] is True
    alice.posts.unpin_post_to_channel(root["id"])
    assert alice.posts.get_post(root["id"])["is_pinned"] is False

    alice.posts.delete_post(root["id"])
    with pytest.raises(ResourceNotFound):
        bob.posts.get_post(root["id"])
    with pytest.raises(ResourceNotFound):
        bob.posts.get_post(reply["id"])
    listed_ids = bob.posts.get_posts_for_channel(town["id"])["order"]
    assert not {root["id"], reply["id"], reply2["id"]} & set(listed_ids)


def test_direct_messages_mentions_and_unreads(live_server: LiveServer) -> None:
    s = scene(live_server, "alice", "bob")
    alice, bob = s.users["alice"], s.users["bob"]
    tid = s.team["id"]
    a, b = s.uid("alice"), s.uid("bob")

    dm = alice.channels.create_direct_message_channel([a, b])
    assert dm["type"] == "D" and dm["team_id"] == "" and dm["name"] == "__".join(sorted([a, b]))
    again = bob.channels.create_direct_message_channel([b, a])
    assert again["id"] == dm["id"]
    for i in range(3):
        alice.posts.create_post({"channel_id": dm["id"], "message": f"psst {i}"})
    member = bob.channels.get_channel_member(dm["id"], "me")
    assert member["mention_count"] == 3
    unread = bob.channels.get_unread_messages("me", dm["id"])
    assert unread["msg_count"] == 3 and unread["mention_count"] == 3 and unread["team_id"] == ""
    # a third user is not in the DM
    carol_name = live_server.unique("carol")
    s.admin.users.create_user({"username": carol_name, "email": f"{carol_name}@example.com",
                               "password": PASSWORD})
    carol = driver(live_server, carol_name)
    with pytest.raises(NotEnoughPermissions):
        carol.posts.get_posts_for_channel(dm["id"])
    with pytest.raises(NotEnoughPermissions):
        carol.posts.create_post({"channel_id": dm["id"], "message": "hi"})

    # a mention in a team channel
    town = channel_by_name(bob, tid, "town-square")
    before = bob.teams.get_team_unreads_for_user("me")
    assert [u["team_id"] for u in before] == [tid]
    assert before[0]["msg_count"] == 0 and before[0]["mention_count"] == 0
    alice.posts.create_post({"channel_id": town["id"], "message": f"@{bob.client.username} look"})
    alice.posts.create_post({"channel_id": town["id"], "message": "no mention here"})
    member = bob.channels.get_channel_member(town["id"], "me")
    assert member["mention_count"] == 1 and member["mention_count_root"] == 1
    # msg_count is what the member has read: the channel's total minus the unread
    total = bob.channels.get_channel(town["id"])["total_msg_count"]
    assert total - member["msg_count"] == 2
    unreads = bob.teams.get_team_unreads_for_user("me")
    assert unreads == [{"team_id": tid, "msg_count": 2, "mention_count": 1, "mention_count_root": 1,
                        "msg_count_root": 2, "thread_count": 0, "thread_mention_count": 0,
                        "thread_urgent_mention_count": 0}]
    one = bob.teams.get_unreads_for_team("me", tid)
    assert one["team_id"] == tid and one["msg_count"] == 2 and one["mention_count"] == 1
    # alice posted, so her own channel stays read
    assert alice.teams.get_team_unreads_for_user("me")[0]["msg_count"] == 0

    viewed = bob.channels.view_channel("me", {"channel_id": town["id"], "prev_channel_id": ""})
    assert viewed["status"] == "OK" and town["id"] in viewed["last_viewed_at_times"]
    member = bob.channels.get_channel_member(town["id"], "me")
    assert member["mention_count"] == 0 and member["last_viewed_at"] == viewed["last_viewed_at_times"][town["id"]]
    assert member["msg_count"] == total
    after = bob.teams.get_team_unreads_for_user("me")[0]
    assert after["msg_count"] == 0 and after["mention_count"] == 0
    # what a client loads when opening the channel: around the first unread post
    fresh = [alice.posts.create_post({"channel_id": town["id"], "message": f"new {i}"}) for i in range(3)]
    around = bob.posts.get_unread_posts_for_channel("me", town["id"], params={"limit_before": 2,
                                                                              "limit_after": 10})
    assert around["order"][:3] == newest_first(*fresh) and len(around["order"]) == 5
    assert around["next_post_id"] == ""


def _check_newest_first(pl: dict[str, Any]) -> None:
    keys = [(pl["posts"][i]["create_at"], i) for i in pl["order"]]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys), "order is not newest first"


def test_paging_through_a_long_channel(live_server: LiveServer) -> None:
    s = scene(live_server, "alice", "bob")
    alice, bob = s.users["alice"], s.users["bob"]
    ch = alice.channels.create_channel({"team_id": s.team["id"], "name": "long", "display_name": "Long",
                                        "type": "O"})
    created: list[dict[str, Any]] = []
    for i in range(135):
        body: dict[str, Any] = {"channel_id": ch["id"], "message": f"message {i:03d}"}
        if i % 30 == 29:  # a few replies to the first post, spread through the channel
            body["root_id"] = created[0]["id"]
        created.append(alice.posts.create_post(body))
    ids_newest_first = [p["id"] for p in sorted(created, key=lambda p: (p["create_at"], p["id"]), reverse=True)]
    assert all(created[i]["create_at"] <= created[i + 1]["create_at"] for i in range(len(created) - 1))
    bob.channels.add_user(ch["id"], {"user_id": s.uid("bob")})  # bob joins: one more (system) post
    # page/per_page
    seen: list[str] = []
    page = 0
    while True:
        pl = bob.posts.get_posts_for_channel(ch["id"], params={"page": page, "per_page": 50})
        _check_newest_first(pl)
        assert set(pl["order"]) <= set(pl["posts"])
        for pid in pl["order"]:
            p = pl["posts"][pid]
            if p["root_id"]:  # thread roots come along with their replies
                assert p["root_id"] in pl["posts"]
        seen += pl["order"]
        if len(pl["order"]) < 50:
            break
        page += 1
    assert page == 2 and len(seen) == 136 and len(set(seen)) == 136
    join_post = seen[0]
    assert seen[1:] == ids_newest_first

    # before cursors: walk from the newest to the oldest through prev_post_id
    first = bob.posts.get_posts_for_channel(ch["id"], params={"page": 0, "per_page": 40})
    assert first["order"] == seen[:40]
    assert first["next_post_id"] == "" and first["prev_post_id"] == seen[40]
    walked = list(first["order"])
    cursor = first["prev_post_id"]
    while cursor:
        pl = bob.posts.get_posts_for_channel(ch["id"], params={"before": walked[-1], "per_page": 40})
        _check_newest_first(pl)
        assert pl["next_post_id"] == walked[-1]
        walked += pl["order"]
        cursor = pl["prev_post_id"]
        if cursor:
            assert cursor == seen[len(walked)]
    assert walked == seen
    empty = bob.posts.get_posts_for_channel(ch["id"], params={"before": seen[-1], "per_page": 40})
    assert empty["order"] == [] and empty["next_post_id"] == seen[-1] and empty["prev_post_id"] == ""

    # after cursors: walk from the oldest to the newest through next_post_id
    oldest = seen[-1]
    walked_up: list[str] = []
    anchor = oldest
    while True:
        pl = bob.posts.get_posts_for_channel(ch["id"], params={"after": anchor, "per_page": 40})
        _check_newest_first(pl)
        assert pl["prev_post_id"] == anchor
        walked_up = pl["order"] + walked_up
        if not pl["next_post_id"]:
            break
        assert pl["next_post_id"] == seen[len(seen) - 1 - len(walked_up) - 1]
        anchor = pl["order"][0]
    assert [*walked_up, oldest] == seen and walked_up[0] == join_post

    # the middle: before and after the same post meet
    mid = seen[70]
    older = bob.posts.get_posts_for_channel(ch["id"], params={"before": mid, "per_page": 10})
    newer = bob.posts.get_posts_for_channel(ch["id"], params={"after": mid, "per_page": 10})
    assert older["order"] == seen[71:81] and older["next_post_id"] == mid and older["prev_post_id"] == seen[81]
    assert newer["order"] == seen[60:70] and newer["prev_post_id"] == mid and newer["next_post_id"] == seen[59]
    # page 1 of a before-query skips one page
    older2 = bob.posts.get_posts_for_channel(ch["id"], params={"before": mid, "page": 1, "per_page": 10})
    assert older2["order"] == seen[81:91]

    # since: everything changed after a time, edits included
    t = created[100]["create_at"]
    alice.posts.patch_post(created[10]["id"], {"message": "edited late"})
    since = bob.posts.get_posts_for_channel(ch["id"], params={"since": t})
    assert created[10]["id"] in since["posts"] and since["posts"][created[10]["id"]]["message"] == "edited late"
    assert {p["id"] for p in created if p["create_at"] > t} <= set(since["posts"])
    assert created[50]["id"] not in since["posts"]


def test_preferences_statuses_roles_and_system(live_server: LiveServer) -> None:
    s = scene(live_server, "alice", "bob")
    alice, bob = s.users["alice"], s.users["bob"]
    a, b = s.uid("alice"), s.uid("bob")
    assert alice.system.check_system_health()["status"] == "OK"
    cfg = alice.system.get_client_configuration(params={"format": "old"})
    assert cfg["CollapsedThreads"] and cfg["Version"]
    assert alice.system.get_client_license(params={"format": "old"}) == {"IsLicensed": "false"}

    prefs = [{"user_id": a, "category": "display_settings", "name": "use_military_time", "value": "true"},
             {"user_id": a, "category": "favorite_channel", "name": s.team["id"], "value": "true"}]
    assert alice.preferences.save_user_preferences(a, prefs)["status"] == "OK"
    got = alice.preferences.get_user_preferences(a)
    assert {(p["category"], p["name"], p["value"]) for p in got} >= {(p["category"], p["name"], p["value"])
                                                                    for p in prefs}
    one = alice.preferences.get_specific_user_preference(a, "display_settings", "use_military_time")
    assert one == prefs[0]
    with pytest.raises(NotEnoughPermissions):
        bob.preferences.save_user_preferences(a, prefs)
    alice.preferences.delete_user_preferences(a, prefs[:1])
    assert alice.preferences.list_user_preferences_by_category(a, "display_settings") == []

    # posting makes you online; a manual status sticks
    town = channel_by_name(bob, s.team["id"], "town-square")
    bob.posts.create_post({"channel_id": town["id"], "message": "here I am"})
    statuses = {x["user_id"]: x for x in alice.status.get_user_statuses_by_id([a, b])}
    assert statuses[b]["status"] == "online" and statuses[b]["manual"] is False
    assert bob.status.update_user_status(b, {"user_id": b, "status": "dnd"})["status"] == "dnd"
    bob.posts.create_post({"channel_id": town["id"], "message": "busy"})
    assert alice.status.get_user_status(b)["status"] == "dnd"
    with pytest.raises(NotEnoughPermissions):
        alice.status.update_user_status(b, {"user_id": b, "status": "away"})

    role = alice.roles.get_role_by_name("system_user")
    assert role["name"] == "system_user" and "create_direct_channel" in role["permissions"]
    with pytest.raises(ResourceNotFound):
        alice.roles.get_role_by_name("no_such_role")


def test_directory_and_channel_management(live_server: LiveServer) -> None:
    s = scene(live_server, "alice", "bob", "carol")
    alice, bob = s.users["alice"], s.users["bob"]
    tid = s.team["id"]
    a, b, c = s.uid("alice"), s.uid("bob"), s.uid("carol")
    assert bob.users.get_user_by_username(alice.client.username)["id"] == a
    assert {u["id"] for u in bob.users.get_users_by_ids([a, c])} == {a, c}
    in_team = bob.users.get_users(params={"in_team": tid, "per_page": 200})
    assert {u["id"] for u in in_team} == {a, b, c}
    found = bob.users.search_users({"term": bob.client.username[:6], "team_id": tid})
    assert b in {u["id"] for u in found}
    assert {m["user_id"] for m in bob.teams.get_team_members(tid)} == {a, b, c}
    assert bob.teams.get_team_stats(tid)["total_member_count"] == 3

    ch = alice.channels.create_channel({"team_id": tid, "name": "managed", "display_name": "Managed",
                                        "type": "O"})
    patched = alice.channels.patch_channel(ch["id"], {"header": "new header", "purpose": "why"})
    assert patched["header"] == "new header" and patched["purpose"] == "why"
    updated = alice.channels.update_channel(ch["id"], {**patched, "display_name": "Managed Well"})
    assert updated["display_name"] == "Managed Well" and updated["header"] == "new header"
    assert bob.channels.get_channel_by_name_and_team_name(s.team["name"], "managed")["id"] == ch["id"]
    public = bob.channels.get_public_channels(tid, params={"per_page": 200})
    assert {"town-square", "off-topic", "managed"} <= {x["name"] for x in public}
    bob.channels.add_user(ch["id"], {"user_id": b})
    stats = bob.channels.get_channel_statistics(ch["id"])
    assert stats["channel_id"] == ch["id"] and stats["member_count"] == 2
    # the header change left a system message
    posts = bob.posts.get_posts_for_channel(ch["id"])
    types = {p["type"] for p in posts["posts"].values()}
    assert {"system_header_change", "system_purpose_change", "system_displayname_change",
            "system_join_channel"} <= types

    gm = alice.channels.create_group_message_channel([a, b, c])
    assert gm["type"] == "G" and gm["team_id"] == ""
    bob.posts.create_post({"channel_id": gm["id"], "message": "group hello"})
    assert alice.channels.get_channel_member(gm["id"], a)["mention_count"] == 1
    with pytest.raises(InvalidOrMissingParameters):
        alice.channels.create_group_message_channel([a, b])
