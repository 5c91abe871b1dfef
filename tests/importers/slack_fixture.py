"""A Slack workspace export written by the tests: every case the importer handles."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from PIL import Image

ROOT_TS = "1704067300.000000"
SAME_MS = ("1704067200.000100", "1704067200.000400")
LONG = ("word " * 3600).strip()  # 17,999 characters: split in two

USERS = [
    {"id": "U01", "team_id": "T01", "name": "alice", "real_name": "Alice Ångström", "is_admin": True,
     "profile": {"email": "alice@example.com", "real_name": "Alice Ångström", "title": "Boss"}},
    {"id": "U02", "team_id": "T01", "name": "bob", "profile": {"real_name": "Bob Builder"}},
    {"id": "U03", "team_id": "T01", "name": "carol", "deleted": True, "profile": {"email": "carol@example.com"}},
    {"id": "U04", "team_id": "T01", "name": "Bad Name!", "profile": {"email": "bad@example.com"}},
    {"id": "U05", "team_id": "T01", "name": "Alice", "profile": {"email": "alice2@example.com"}},
    # an email that is no address (seen in a real export): the user gets a generated one, named in the report
    {"id": "U06", "team_id": "T01", "name": "weird", "profile": {"email": "TQ2NR0wy2HFezy 3d "}},
    {"id": "UB1", "team_id": "T01", "name": "deploybot", "is_bot": True,
     "profile": {"bot_id": "B01", "real_name": "Deploy Bot"}},
]

CHANNELS = [
    {"id": "C01", "name": "general", "is_general": True, "created": "1704000000", "creator": "U01",
     "members": ["U01", "U02", "U04"], "topic": {"value": "Welcome <@U01>"}, "purpose": {"value": "General stuff"},
     "pins": [{"id": "1704067210.000000", "type": "C", "created": 1704067215, "user": "U01"}]},
    {"id": "C02", "name": "random", "is_archived": True, "created": 1704000000, "members": ["U01", "U02"],
     "topic": {"value": ""}, "purpose": {"value": "p" * 300}},
    {"id": "C03", "name": "Dev-Ops", "created": 1704000000, "members": ["U01", "U04"]},
    {"id": "C04", "name": "日本語", "created": 1704000000, "members": ["U01"]},
    {"id": "C05", "name": "edge", "created": 1704000000, "members": ["U01", "U02", "U06"]},
]
GROUPS = [{"id": "G01", "name": "secret", "created": 1704000000, "members": ["U01", "U02"]}]
DMS = [{"id": "D01", "created": 1, "members": ["U01", "U02"]},
       {"id": "D02", "created": 1, "members": ["U01", "U01"]},
       {"id": "D03", "created": 1, "members": ["U01", "U0GHOST"]}]
MPIMS = [{"id": "G02", "name": "mpdm-alice--bob--bad-name-1", "members": ["U01", "U02", "U04"]},
         {"id": "G03", "name": "mpdm-alice--bob--bad-name-2", "members": ["U04", "U02", "U01"]}]


def _msg(ts: str, user: str | None, text: str, **kw: Any) -> dict[str, Any]:
    m: dict[str, Any] = {"type": "message", "ts": ts, "text": text, **kw}
    if user:
        m["user"] = user
    return m


GENERAL_DAY1 = [
    _msg(SAME_MS[0], "U01", "hello *world* ~gone~ <@U02> <#C03|dev-ops> <!channel> "
         "<https://example.com|Example> &amp; &lt;tag&gt;", edited={"user": "U01", "ts": "1704067250.000000"}),
    _msg(SAME_MS[1], "U02", "same millisecond", pinned_to=["C01"]),
    _msg("1704067210.000000", "U01", "code: ```*not bold* <@U02> &lt;x&gt;``` and `~keep~` but *bold*"),
    _msg(ROOT_TS, "U01", "thread root", thread_ts=ROOT_TS, reply_count=3, latest_reply="1704153610.000000",
         reactions=[{"name": "thumbsup::skin-tone-2", "users": ["U02", "U0GHOST"], "count": 2},
                    {"name": "partyparrot", "users": ["U01"], "count": 1}]),
    _msg("1704067400.000000", None, "", subtype="bot_message", bot_id="B01", username="Deploy",
         attachments=[{"fallback": "deployed", "color": "good", "text": "deployed *v1* by <@U01>"}]),
    _msg("1704067410.000000", None, "from ci", subtype="bot_message", bot_id="B99", username="ci"),
    _msg("1704067420.000000", None, "no bot id", subtype="bot_message", bot_id=None),
    _msg("1704067430.000000", "U01", "waves", subtype="me_message"),
    _msg("1704067440.000000", "U02", "<@U02> has joined the channel", subtype="channel_join"),
    _msg("1704067450.000000", "U01", "set the topic", subtype="channel_topic", topic="New topic"),
    _msg("1704067460.000000", "U01", "set the purpose", subtype="channel_purpose", purpose="New purpose"),
    _msg("1704067470.000000", "U01", "pinned", subtype="pinned_item"),
    _msg("1704067480.000000", "U01", "files", subtype="file_share", files=[
        {"id": "F01", "name": "a.png", "mimetype": "image/png", "mode": "hosted"},
        {"id": "F02", "name": "missing.txt", "mimetype": "text/plain", "mode": "hosted"},
        {"id": "F03", "mode": "tombstone"},
        {"id": "F04", "name": "Doc", "title": "Drive doc", "mode": "external", "is_external": True,
         "url_private": "https://docs.google.com/d/1"},
        {"id": "F05", "name": "canvas", "mimetype": "application/vnd.slack-docs"},
        {"id": "F06", "name": "denied.txt", "file_access": "access_denied"}]),
    _msg("1704067490.000000", "U01", LONG),
    _msg("1704067495.000000", "U01", "&gt;&gt;&gt; quoted\nmore\n"),
    _msg("1704067496.000000", "U01", "&gt; single quote"),
    _msg("1704067497.000000", None, "nobody"),
]
GENERAL_DAY2 = [
    _msg("1704153600.000000", "U02", "first reply", thread_ts=ROOT_TS, parent_user_id="U01"),
    _msg("1704153610.000000", "U04", "broadcast reply", thread_ts=ROOT_TS, subtype="thread_broadcast",
         root={"ts": ROOT_TS}),
    _msg("1704153620.000000", "U02", "orphan reply", thread_ts="1600000000.000000"),
    _msg("1704153700.1", "U01", "short decimals"),
]


DELETED_ROOT = "1704070000.000000"
EMPTY_ROOT = "1704070100.000000"
# what real exports hold that no public sample had: a reply to a deleted (tombstoned) message, a message
# whose only file is not in the export (also as a thread root), nested styles, links in code, mentions of
# users/channels the export lacks, integrations known only by their bot_profile, leave/topic/purpose
EDGE = [
    _msg(DELETED_ROOT, "USLACKBOT", "This message was deleted.", subtype="tombstone", hidden=True,
         thread_ts=DELETED_ROOT, reply_count=1),
    _msg("1704070010.000000", "U02", "reply to a deleted message", thread_ts=DELETED_ROOT, parent_user_id="U01"),
    _msg("1704070020.000000", "U01", "~*_random_*~ and *_both_*"),
    _msg("1704070030.000000", "U01", "run ```curl <http://example.com/a?b=1&amp;c=2>``` or `open <https://x.org|x.org>`"),
    _msg("1704070040.000000", "U01", "ask <@U074VRHQ11T> or <@U0LABEL|olduser> in <#C079A3FA12P> or <#C0OLD|old-chan>"),
    _msg(EMPTY_ROOT, "U01", "", subtype="file_share", thread_ts=EMPTY_ROOT, reply_count=1,
         files=[{"id": "F09", "name": "lost.pdf", "mimetype": "application/pdf", "mode": "hosted"}]),
    _msg("1704070110.000000", "U02", "reply to a lost file", thread_ts=EMPTY_ROOT),
    _msg("1704070120.000000", "U01", "", subtype="file_share",
         files=[{"id": "F10", "name": "kept.txt", "mimetype": "text/plain", "mode": "hosted"}]),
    _msg("1704070200.000000", None, "PR #1 merged", subtype="bot_message", bot_id="B77",
         bot_profile={"id": "B77", "name": "GitHub", "app_id": "A77",
                      "icons": {"image_36": "https://avatars.example.com/gh36.png",
                                "image_72": "https://avatars.example.com/gh72.png"}}),
    _msg("1704070210.000000", None, "build green", subtype="bot_message", bot_id="B78", username="jenkins",
         icons={"emoji": ":robot_face:"}),
    _msg("1704070220.000000", "U0APP", "deploy done", bot_id="B88", app_id="A88",
         bot_profile={"id": "B88", "name": "Deployer", "icons": {"image_48": "https://avatars.example.com/d48.png"}}),
    _msg("1704070300.000000", "U02", "<@U02> has left the channel", subtype="channel_leave"),
    _msg("1704070310.000000", "U01", "set the channel topic", subtype="channel_topic", topic="Edge <#C01> cases"),
    _msg("1704070320.000000", "U01", "set the channel purpose", subtype="channel_purpose", purpose="Hard *things*"),
]


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def files(**override: Any) -> dict[str, bytes]:
    """The export's files by path (override/add entries; None removes one)."""
    out: dict[str, Any] = {
        "users.json": USERS, "channels.json": CHANNELS, "groups.json": GROUPS, "dms.json": DMS,
        "mpims.json": MPIMS, "integration_logs.json": [],
        "general/2024-01-01.json": GENERAL_DAY1, "general/2024-01-02.json": GENERAL_DAY2,
        "random/2024-01-01.json": [_msg("1704067500.000000", "U02", "random talk")],
        "Dev-Ops/2024-01-01.json": [_msg("1704067600.000000", "U04", "ops here")],
        "日本語/2024-01-01.json": [_msg("1704067700.000000", "U01", "こんにちは")],
        "edge/2024-01-01.json": EDGE,
        "__uploads/F10/kept.txt": b"kept",
        "secret/2024-01-01.json": [_msg("1704067800.000000", "U02", "private words")],
        "D01/2024-01-01.json": [_msg("1704067900.000000", "U01", "hi bob")],
        "D02/2024-01-01.json": [_msg("1704067910.000000", "U01", "note to self")],
        "D03/2024-01-01.json": [_msg("1704067920.000000", "U0GHOST", "from a ghost")],
        "mpdm-alice--bob--bad-name-1/2024-01-01.json": [_msg("1704068000.000000", "U04", "group one")],
        "mpdm-alice--bob--bad-name-2/2024-01-01.json": [_msg("1704068010.000000", "U02", "group two")],
        "__uploads/F01/a.png": png(),
        # custom emoji as slackdump writes them: a list (name → URL, or alias) and the images
        "emojis/index.json": {"partyparrot": "https://emoji.slack-edge.com/T01/partyparrot/1.png",
                              "parrot_alias": "alias:partyparrot", "lost": "https://emoji.slack-edge.com/T01/lost.png",
                              "smile": "https://emoji.slack-edge.com/T01/smile.png"},
        "emojis/partyparrot.png": png(),
        "emojis/smile.png": png(),
    }
    out.update(override)
    return {k: (v if isinstance(v, bytes) else json.dumps(v, ensure_ascii=False, indent=1).encode())
            for k, v in out.items() if v is not None}


def write_zip(path: str, entries: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def write_bytes(path: str, data: bytes) -> str:
    with open(path, "wb") as fh:
        fh.write(data)
    return path


# An Enterprise Grid org export: org_users.json and the org-level conversations (a shared channel, DMs) at
# the root, one folder per workspace under teams/ with its own channel lists, members and folders.
GRID_USERS = [
    {"id": "W01", "team_id": "E01", "name": "gina", "profile": {"email": "gina@example.com", "real_name": "Gina G"}},
    {"id": "W02", "team_id": "E01", "name": "hugo", "profile": {"email": "hugo@example.com"}},
    {"id": "W03", "team_id": "E01", "name": "ivy", "profile": {"email": "ivy@example.com"}},
]


def grid_files() -> dict[str, bytes]:
    out: dict[str, Any] = {
        "org_users.json": GRID_USERS,
        "channels.json": [{"id": "C90", "name": "announcements", "members": ["W01", "W02", "W03"]}],
        "dms.json": [{"id": "D90", "members": ["W01", "W02"]}],
        "announcements/2024-02-01.json": [_msg("1706745600.000000", "W01", "hello org")],
        "D90/2024-02-01.json": [_msg("1706745700.000000", "W02", "hi gina")],
        "teams/Sales Team/users.json": [GRID_USERS[0], GRID_USERS[1]],
        "teams/Sales Team/channels.json": [{"id": "C91", "name": "deals", "members": ["W01", "W02"],
                                            "pins": [{"id": "1706745800.000000"}]}],
        "teams/Sales Team/deals/2024-02-01.json": [_msg("1706745800.000000", "W01", "big deal <@W02>")],
        "teams/eng/users.json": [GRID_USERS[1], GRID_USERS[2]],
        "teams/eng/channels.json": [{"id": "C92", "name": "builds", "members": ["W02", "W03"]}],
        "teams/eng/groups.json": [{"id": "G92", "name": "oncall", "members": ["W03"]}],
        "teams/eng/builds/2024-02-01.json": [_msg("1706745900.000000", "W03", "build green")],
        "teams/eng/oncall/2024-02-01.json": [_msg("1706746000.000000", "W03", "paged")],
    }
    return {k: json.dumps(v, ensure_ascii=False).encode() for k, v in out.items()}
