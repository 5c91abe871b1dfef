"""A Mattermost database for the migration tests: the tables and columns ``chinwag import mattermost``
reads, as Mattermost's PostgreSQL schema has them (lower-case names, its types and NULLable columns,
JSON kept as text or jsonb as it does, plus some columns chinwag leaves behind), and a generator that
fills it with the cases a real server has: deleted, SSO, MFA and bot users (bcrypt and PBKDF2 password
hashes), archived channels, DMs and group messages, threads with followers, edited (with the old
version Mattermost keeps) and deleted posts, pins, flags, reactions, files in a data directory, custom
emoji, webhooks, slash commands, access tokens and sessions, statuses and a custom status, changed roles
and a team scheme, drafts, an OAuth app with a grant, and plugin data."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import bcrypt
from PIL import Image

from chinwag.model.ids import new_id

SCHEMA = """
CREATE TABLE systems (name varchar(64) PRIMARY KEY, value varchar(1024));
CREATE TABLE users (
    id varchar(26) PRIMARY KEY, createat bigint, updateat bigint, deleteat bigint,
    username varchar(64) UNIQUE, password varchar(128), authdata varchar(128) UNIQUE, authservice varchar(32),
    email varchar(128) UNIQUE, emailverified boolean, nickname varchar(64), firstname varchar(64),
    lastname varchar(64), position varchar(128), roles varchar(256), allowmarketing boolean, props jsonb,
    notifyprops jsonb, lastpasswordupdate bigint, lastpictureupdate bigint, failedattempts integer,
    locale varchar(5), timezone jsonb, mfaactive boolean, mfasecret varchar(128), remoteid varchar(26),
    lastlogin bigint DEFAULT 0, disablewelcomeemail boolean DEFAULT false, mfausedtimestamps jsonb);
CREATE TABLE bots (userid varchar(26) PRIMARY KEY, description varchar(1024), ownerid varchar(190),
    lasticonupdate bigint, createat bigint, updateat bigint, deleteat bigint);
CREATE TABLE sessions (id varchar(26) PRIMARY KEY, token varchar(26), createat bigint, expiresat bigint,
    lastactivityat bigint, userid varchar(26), deviceid varchar(512), roles varchar(256), isoauth boolean,
    props jsonb, expirednotify boolean);
CREATE TABLE useraccesstokens (id varchar(26) PRIMARY KEY, token varchar(26) UNIQUE, userid varchar(26),
    description varchar(512), isactive boolean);
CREATE TABLE teams (id varchar(26) PRIMARY KEY, createat bigint, updateat bigint, deleteat bigint,
    displayname varchar(64), name varchar(64) UNIQUE, description varchar(255), email varchar(128),
    type varchar(255), companyname varchar(64), alloweddomains varchar(1000), inviteid varchar(32),
    schemeid varchar(26), allowopeninvite boolean, lastteamiconupdate bigint, groupconstrained boolean,
    cloudlimitsarchived boolean NOT NULL DEFAULT false);
CREATE TABLE teammembers (teamid varchar(26), userid varchar(26), roles varchar(256), deleteat bigint,
    schemeuser boolean, schemeadmin boolean, schemeguest boolean, createat bigint DEFAULT 0,
    PRIMARY KEY (teamid, userid));
CREATE TABLE channels (id varchar(26) PRIMARY KEY, createat bigint, updateat bigint, deleteat bigint,
    teamid varchar(26), type varchar(1), displayname varchar(64), name varchar(64), header varchar(1024),
    purpose varchar(250), lastpostat bigint, totalmsgcount bigint, extraupdateat bigint, creatorid varchar(26),
    schemeid varchar(26), groupconstrained boolean, shared boolean, totalmsgcountroot bigint,
    lastrootpostat bigint DEFAULT 0, bannerinfo jsonb, UNIQUE (name, teamid));
CREATE TABLE channelmembers (channelid varchar(26), userid varchar(26), roles varchar(256),
    lastviewedat bigint, msgcount bigint, mentioncount bigint, notifyprops jsonb, lastupdateat bigint,
    schemeuser boolean, schemeadmin boolean, schemeguest boolean, mentioncountroot bigint,
    msgcountroot bigint, urgentmentioncount bigint, PRIMARY KEY (channelid, userid));
CREATE TABLE posts (id varchar(26) PRIMARY KEY, createat bigint, updateat bigint, deleteat bigint,
    userid varchar(26), channelid varchar(26), rootid varchar(26), originalid varchar(26),
    message varchar(65535), type varchar(26), props jsonb, hashtags varchar(1000), filenames varchar(4000),
    fileids varchar(300), hasreactions boolean, editat bigint, ispinned boolean, remoteid varchar(26));
CREATE TABLE reactions (userid varchar(26), postid varchar(26), emojiname varchar(64), createat bigint,
    updateat bigint, deleteat bigint, remoteid varchar(26), channelid varchar(26) NOT NULL DEFAULT '',
    PRIMARY KEY (postid, userid, emojiname));
CREATE TABLE threads (postid varchar(26) PRIMARY KEY, replycount bigint, lastreplyat bigint,
    participants jsonb, channelid varchar(26), threaddeleteat bigint, threadteamid varchar(26));
CREATE TABLE threadmemberships (postid varchar(26), userid varchar(26), following boolean,
    lastviewed bigint, lastupdated bigint, unreadmentions bigint, PRIMARY KEY (postid, userid));
CREATE TABLE fileinfo (id varchar(26) PRIMARY KEY, creatorid varchar(26), postid varchar(26),
    createat bigint, updateat bigint, deleteat bigint, path varchar(512), thumbnailpath varchar(512),
    previewpath varchar(512), name varchar(256), extension varchar(64), size bigint, mimetype varchar(256),
    width integer, height integer, haspreviewimage boolean, minipreview bytea, content text,
    remoteid varchar(26), archived boolean NOT NULL DEFAULT false, channelid varchar(26));
CREATE TABLE emoji (id varchar(26) PRIMARY KEY, createat bigint, updateat bigint, deleteat bigint,
    creatorid varchar(26), name varchar(64), UNIQUE (name, deleteat));
CREATE TABLE preferences (userid varchar(26), category varchar(32), name varchar(32),
    value varchar(2000), PRIMARY KEY (userid, category, name));
CREATE TABLE postreminders (postid varchar(26), userid varchar(26), targettime bigint,
    PRIMARY KEY (postid, userid));
CREATE TABLE sidebarcategories (id varchar(128) PRIMARY KEY, userid varchar(26), teamid varchar(26),
    sortorder bigint, sorting varchar(64), type varchar(64), displayname varchar(64), muted boolean,
    collapsed boolean);
CREATE TABLE sidebarchannels (channelid varchar(26), userid varchar(26), categoryid varchar(128),
    sortorder bigint, PRIMARY KEY (channelid, userid, categoryid));
CREATE TABLE incomingwebhooks (id varchar(26) PRIMARY KEY, createat bigint, updateat bigint,
    deleteat bigint, userid varchar(26), channelid varchar(26), teamid varchar(26), displayname varchar(64),
    description varchar(500), username varchar(255), iconurl varchar(1024), channellocked boolean);
CREATE TABLE outgoingwebhooks (id varchar(26) PRIMARY KEY, token varchar(26), createat bigint,
    updateat bigint, deleteat bigint, creatorid varchar(26), channelid varchar(26), teamid varchar(26),
    triggerwords varchar(1024), callbackurls varchar(1024), displayname varchar(64),
    contenttype varchar(128), triggerwhen integer, username varchar(64), iconurl varchar(1024),
    description varchar(500));
CREATE TABLE commands (id varchar(26) PRIMARY KEY, token varchar(26), createat bigint, updateat bigint,
    deleteat bigint, creatorid varchar(26), teamid varchar(26), trigger varchar(128), method varchar(1),
    username varchar(64), iconurl varchar(1024), autocomplete boolean, autocompletedesc varchar(1024),
    autocompletehint varchar(1024), displayname varchar(64), description varchar(128), url varchar(1024),
    pluginid varchar(190));
CREATE TABLE status (userid varchar(26) PRIMARY KEY, status varchar(32), manual boolean, lastactivityat bigint,
    dndendtime bigint, prevstatus varchar(32));
CREATE TABLE roles (id varchar(26) PRIMARY KEY, name varchar(64) UNIQUE, displayname varchar(128),
    description text, createat bigint, updateat bigint, deleteat bigint, permissions text,
    schememanaged boolean, builtin boolean);
CREATE TABLE schemes (id varchar(26) PRIMARY KEY, name varchar(64), displayname varchar(128),
    description text, createat bigint, updateat bigint, deleteat bigint, scope varchar(32),
    defaultteamadminrole varchar(64), defaultteamuserrole varchar(64), defaultchanneladminrole varchar(64),
    defaultchanneluserrole varchar(64), defaultteamguestrole varchar(64), defaultchannelguestrole varchar(64));
CREATE TABLE drafts (createat bigint, updateat bigint, deleteat bigint, userid varchar(26), channelid varchar(26),
    rootid varchar(26) DEFAULT '', message varchar(65535), props varchar(8000), fileids varchar(300),
    priority text, type text, PRIMARY KEY (userid, channelid, rootid));
CREATE TABLE oauthapps (id varchar(26) PRIMARY KEY, creatorid varchar(26), createat bigint, updateat bigint,
    clientsecret varchar(128), name varchar(64), description varchar(512), iconurl varchar(512),
    callbackurls varchar(1024), homepage varchar(256), istrusted boolean, mattermostappid varchar(32));
CREATE TABLE oauthaccessdata (clientid varchar(26), userid varchar(26), token varchar(26) PRIMARY KEY,
    refreshtoken varchar(26), redirecturi varchar(256), expiresat bigint, scope varchar(128));
CREATE TABLE oauthauthdata (clientid varchar(26), userid varchar(26), code varchar(128) PRIMARY KEY,
    expiresin integer, createat bigint, redirecturi varchar(256), state varchar(1024), scope varchar(128));
CREATE TABLE pluginkeyvaluestore (pluginid varchar(190), pkey varchar(150), pvalue bytea, expireat bigint,
    PRIMARY KEY (pluginid, pkey));
CREATE TABLE configurations (id varchar(26) PRIMARY KEY, value text NOT NULL, createat bigint NOT NULL,
    active boolean UNIQUE, sha varchar(64));
"""

T0 = 1_700_000_000_000
NOTIFY = {"channel": "true", "comments": "never", "desktop": "mention", "email": "true", "first_name": "false",
          "mention_keys": "", "push": "mention"}
TZ = {"automaticTimezone": "", "manualTimezone": "", "useAutomaticTimezone": "true"}
CHANNEL_NOTIFY = {"desktop": "default", "email": "default", "mark_unread": "all", "push": "default",
                  "ignore_channel_mentions": "default"}


def bcrypt_hash(password: str) -> str:
    """As Go's bcrypt writes it (``$2a$``), at the lowest cost to keep the tests quick."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4, prefix=b"2a")).decode()


def pbkdf2_hash(password: str, rounds: int = 1000) -> str:
    """Newer Mattermost's PHC string (its default is 600,000 rounds; fewer keep the tests quick)."""
    salt = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, rounds, 32)
    b64 = lambda b: base64.b64encode(b).decode().rstrip("=")  # noqa: E731
    return f"$pbkdf2$f=SHA256,w={rounds},l=32${b64(salt)}${b64(key)}"


def gitlab_encrypt(key: str, text: str) -> str:
    """As Mattermost's GitLab plugin encrypts a token: AES (the key as it is) in CFB mode, a random IV in
    front, the text PKCS#7-padded, in URL-safe base64."""
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    data = text.encode()
    pad = 16 - len(data) % 16
    iv = os.urandom(16)
    enc = Cipher(algorithms.AES(key.encode()), CFB(iv)).encryptor()
    return base64.urlsafe_b64encode(iv + enc.update(data + bytes([pad]) * pad) + enc.finalize()).decode()


def png(color: tuple[int, int, int], size: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), color).save(out, "PNG")
    return out.getvalue()


@dataclass
class Facts:
    """What the generator made, for the tests to look for in chinwag."""

    users: dict[str, str] = field(default_factory=dict)  # username → id
    passwords: dict[str, str] = field(default_factory=dict)
    mfa_secret: str = ""
    team: str = ""
    channels: dict[str, str] = field(default_factory=dict)
    posts: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # file id → bytes
    emoji: str = ""
    hook: str = ""
    outgoing: tuple[str, str] = ("", "")  # id, token
    command: tuple[str, str] = ("", "")
    pat: str = ""
    oauth_app: str = ""
    oauth_token: str = ""
    scheme: str = ""
    channel_scheme: str = ""
    #: a team archived in Mattermost (DeleteAt set), with a channel, members and a post
    old_team: str = ""
    draft_file: str = ""
    session: str = ""
    expired_session: str = ""
    #: the GitLab plugin's EncryptionKey (in the active configuration) and the access tokens it encrypted
    gitlab_key: str = ""
    gitlab_tokens: dict[str, str] = field(default_factory=dict)  # username → GitLab access token
    #: (user, channel) → (msg_count, mention_count) Mattermost shows as unread
    unread: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


class Gen:
    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.f = Facts()

    def add(self, table: str, **row: Any) -> dict[str, Any]:
        self.rows.setdefault(table, []).append(row)
        return row

    def file(self, path: str, data: bytes) -> None:
        full = os.path.join(self.data_dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as fh:
            fh.write(data)

    def user(self, name: str, *, password: str = "", hashed: str = "", roles: str = "system_user",
             deleted: bool = False, **extra: Any) -> str:
        uid = new_id()
        pw = hashed or (bcrypt_hash(password) if password else "")
        if password:
            self.f.passwords[name] = password
        self.add("users", id=uid, createat=T0, updateat=T0 + 1, deleteat=T0 + 5 if deleted else 0, username=name,
                 password=pw, authdata=extra.pop("authdata", None), authservice=extra.pop("authservice", ""),
                 email=f"{name}@example.com", emailverified=True, nickname=name.title(), firstname=name.title(),
                 lastname="Example", position="", roles=roles, allowmarketing=False,
                 props=json.dumps({}), notifyprops=json.dumps({**NOTIFY, "mention_keys": name}),
                 lastpasswordupdate=T0, lastpictureupdate=extra.pop("lastpictureupdate", 0), failedattempts=0,
                 locale="en", timezone=json.dumps(TZ), mfaactive=extra.pop("mfaactive", False),
                 mfasecret=extra.pop("mfasecret", ""), remoteid=None, lastlogin=T0, disablewelcomeemail=False,
                 mfausedtimestamps=json.dumps([]), **extra)
        self.f.users[name] = uid
        return uid

    def post(self, channel: str, user: str, message: str, at: int, *, root: str = "", **extra: Any) -> str:
        pid = extra.pop("id", None) or new_id()
        self.add("posts", id=pid, createat=at, updateat=extra.pop("updateat", at), deleteat=extra.pop("deleteat", 0),
                 userid=self.f.users[user], channelid=self.f.channels[channel], rootid=root,
                 originalid=extra.pop("originalid", ""), message=message, type=extra.pop("type", ""),
                 props=json.dumps(extra.pop("props", {})), hashtags=extra.pop("hashtags", ""), filenames="[]",
                 fileids=json.dumps(extra.pop("fileids", [])), hasreactions=extra.pop("hasreactions", False),
                 editat=extra.pop("editat", 0), ispinned=extra.pop("ispinned", None), remoteid=None, **extra)
        return pid

    def channel(self, name: str, kind: str, team: str, *, deleted: int = 0, display: str = "") -> str:
        cid = new_id()
        self.add("channels", id=cid, createat=T0, updateat=T0, deleteat=deleted, teamid=team, type=kind,
                 displayname=display or name.title(), name=name, header=f"{name} header", purpose="",
                 lastpostat=0, totalmsgcount=0, extraupdateat=0, creatorid=self.f.users.get("alice", ""),
                 schemeid=None, groupconstrained=None, shared=None, totalmsgcountroot=0, lastrootpostat=0,
                 bannerinfo=None)
        self.f.channels[name] = cid
        return cid

    def member(self, channel: str, user: str, *, viewed_back: int = 0, mentions: int = 0, admin: bool = False
               ) -> None:
        """A channel member who has read all but the last ``viewed_back`` posts (``mentions`` of them
        mention them): the counters set as Mattermost keeps them."""
        self.add("channelmembers", channelid=self.f.channels[channel], userid=self.f.users[user], roles="",
                 lastviewedat=0, msgcount=-viewed_back, mentioncount=mentions, notifyprops=json.dumps(CHANNEL_NOTIFY),
                 lastupdateat=T0, schemeuser=True, schemeadmin=admin, schemeguest=False,
                 mentioncountroot=mentions, msgcountroot=-viewed_back, urgentmentioncount=0)
        if viewed_back or mentions:
            self.f.unread[(user, channel)] = (viewed_back, mentions)

    def finish_channels(self) -> None:
        """Mattermost's counters from the posts: total (and root) message counts, last post times; members'
        ``msgcount`` is what they have read and ``lastviewedat`` when."""
        live = [p for p in self.rows["posts"] if not p["deleteat"]]
        for ch in self.rows["channels"]:
            posts = sorted((p for p in live if p["channelid"] == ch["id"]), key=lambda p: p["createat"])
            roots = [p for p in posts if not p["rootid"]]
            ch["totalmsgcount"], ch["totalmsgcountroot"] = len(posts), len(roots)
            ch["lastpostat"] = posts[-1]["createat"] if posts else 0
            ch["lastrootpostat"] = roots[-1]["createat"] if roots else 0
            for m in self.rows["channelmembers"]:
                if m["channelid"] != ch["id"]:
                    continue
                back = -m["msgcount"]
                m["msgcount"] = len(posts) - back
                m["msgcountroot"] = len(roots) - min(back, len(roots))
                seen = posts[len(posts) - back - 1] if len(posts) > back else None
                m["lastviewedat"] = seen["createat"] if seen else 0


def generate(data_dir: str) -> Gen:
    g = Gen(data_dir)
    f = g.f
    alice = g.user("alice", password="alice-pass-1", roles="system_user system_admin",
                   lastpictureupdate=T0 + 10)
    g.file(f"users/{alice}/profile.png", png((200, 10, 10)))
    g.user("bob", hashed=pbkdf2_hash("bob-pass-22"))
    f.passwords["bob"] = "bob-pass-22"
    f.mfa_secret = base64.b32encode(os.urandom(20)).decode().rstrip("=")
    g.user("carol", password="carol-pass-3", mfaactive=True, mfasecret=f.mfa_secret)
    g.user("dave", password="dave-pass-4", deleted=True)
    g.user("erin", authservice="gitlab", authdata="4242")
    g.user("frank", authservice="saml", authdata="frank@idp.example")
    bot = g.user("ci-bot")  # a bot is a user with a Bots row (Mattermost's Users has no IsBot column)
    g.add("bots", userid=bot, description="Builds things", ownerid=alice, lasticonupdate=T0 + 3, createat=T0,
          updateat=T0, deleteat=0)
    g.file(f"bots/{bot}/icon.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    users = f.users

    team = f.team = new_id()
    g.add("teams", id=team, createat=T0, updateat=T0, deleteat=0, displayname="Acme", name="acme",
          description="", email="", type="O", companyname="", alloweddomains="", inviteid=new_id(), schemeid=None,
          allowopeninvite=True, lastteamiconupdate=T0 + 2, groupconstrained=None)
    g.file(f"teams/{team}/teamIcon.png", png((0, 0, 200), 128))
    for name in ("alice", "bob", "carol", "dave", "erin", "frank", "ci-bot"):
        g.add("teammembers", teamid=team, userid=users[name], roles="", deleteat=T0 + 9 if name == "frank" else 0,
              schemeuser=True, schemeadmin=name == "alice", schemeguest=False, createat=T0)

    g.channel("town-square", "O", team)
    g.channel("off-topic", "O", team)
    g.channel("secret", "P", team)
    g.channel("old-news", "O", team, deleted=T0 + 50_000)
    # a team archived in Mattermost (deleted in the System Console or with DELETE /teams/{id}: Mattermost keeps
    # it, its channels and posts, and can restore it)
    old = f.old_team = new_id()
    g.add("teams", id=old, createat=T0, updateat=T0 + 70_000, deleteat=T0 + 70_000, displayname="Old Co",
          name="oldco", description="gone quiet", email="", type="I", companyname="", alloweddomains="",
          inviteid=new_id(), schemeid=None, allowopeninvite=False, lastteamiconupdate=0, groupconstrained=None)
    for name in ("alice", "bob"):
        g.add("teammembers", teamid=old, userid=users[name], roles="", deleteat=0, schemeuser=True,
              schemeadmin=name == "alice", schemeguest=False, createat=T0)
    g.channel("oldco-general", "O", old)
    g.channel("oldco-private", "P", old)
    for name in ("alice", "bob"):
        g.member("oldco-general", name)
    g.member("oldco-private", "bob")
    a, b, c = sorted([users["alice"], users["bob"], users["carol"]])
    dm = "__".join(sorted([users["alice"], users["bob"]]))
    g.channel(dm, "D", "", display="")
    g.channel(hashlib.sha1(f"{a}{b}{c}".encode()).hexdigest(), "G", "", display="alice, bob, carol")
    gm = g.rows["channels"][-1]["name"]
    for ch in ("town-square", "off-topic"):
        for name in ("alice", "bob", "carol", "dave", "erin", "ci-bot"):
            g.member(ch, name, viewed_back=3 if (ch, name) == ("town-square", "bob") else 0,
                     mentions=1 if (ch, name) == ("town-square", "bob") else 0, admin=name == "alice")
    g.member("secret", "alice", admin=True)
    g.member("secret", "carol", viewed_back=1)
    g.member("old-news", "alice")
    g.member(dm, "alice")
    g.member(dm, "bob", viewed_back=2, mentions=2)
    for name in ("alice", "bob", "carol"):
        g.member(gm, name)

    t = T0 + 100_000
    p = f.posts
    p["welcome"] = g.post("town-square", "alice", "Welcome to #acme", t, hashtags="#acme")
    p["old_team"] = g.post("oldco-general", "bob", "Last words of Old Co", t - 40_000)
    p["old_team_reply"] = g.post("oldco-general", "alice", "Goodbye", t - 39_000, root=p["old_team"])
    p["old_private"] = g.post("oldco-private", "bob", "notes to self", t - 38_000)
    # a thread from before Mattermost 5.29, which has no Threads row (Mattermost counts its replies from the posts)
    p["old_root"] = g.post("off-topic", "carol", "Anyone up for lunch?", t - 30_000)
    g.post("off-topic", "bob", "me", t - 29_000, root=p["old_root"])
    g.post("off-topic", "alice", "me too", t - 28_000, root=p["old_root"])
    p["join"] = g.post("town-square", "erin", "erin joined the channel.", t + 1, type="system_join_channel",
                       props={"username": "erin"})
    p["root"] = g.post("town-square", "alice", "Release plan, @bob please review", t + 10, hasreactions=True)
    p["reply1"] = g.post("town-square", "bob", "Looks good", t + 20, root=p["root"])
    p["reply2"] = g.post("town-square", "carol", "One question", t + 30, root=p["root"])
    p["edited"] = g.post("town-square", "carol", "Fixed typo (edited)", t + 40, editat=t + 45, updateat=t + 45)
    p["old_version"] = g.post("town-square", "carol", "Fixd typo", t + 40, originalid=p["edited"], deleteat=t + 45,
                              updateat=t + 45)
    p["deleted"] = g.post("town-square", "dave", "oops, wrong channel", t + 50, deleteat=t + 55, updateat=t + 55)
    fid, img = new_id(), new_id()
    p["files"] = g.post("town-square", "alice", "the report", t + 60, fileids=[fid, img], ispinned=True)
    p["webhook"] = g.post("town-square", "alice", "Build #12 passed", t + 70,
                          props={"from_webhook": "true", "override_username": "ci"})
    p["reply3"] = g.post("town-square", "alice", "Answered @carol", t + 80, root=p["root"])
    p["bot"] = g.post("off-topic", "ci-bot", "nightly done", t + 90, props={"from_bot": "true"})
    p["secret"] = g.post("secret", "carol", "secret plans", t + 100)
    p["archived"] = g.post("old-news", "alice", "from before the archive", t + 5)
    p["dm1"] = g.post(dm, "alice", "hi bob", t + 110)
    p["dm2"] = g.post(dm, "alice", "@bob are you there?", t + 120)
    p["gm"] = g.post(gm, "carol", "group hello", t + 130)

    base = f"20231114/teams/{team}/channels/{f.channels['town-square']}/users/{alice}"
    text = b"quarterly numbers\n" * 50
    f.files[fid] = text
    g.file(f"{base}/{fid}/report.txt", text)
    g.add("fileinfo", id=fid, creatorid=alice, postid=p["files"], createat=t + 60, updateat=t + 60, deleteat=0,
          path=f"{base}/{fid}/report.txt", thumbnailpath="", previewpath="", name="report.txt", extension="txt",
          size=len(text), mimetype="text/plain", width=None, height=None, haspreviewimage=False, minipreview=None,
          content="quarterly numbers", remoteid=None, channelid=f.channels["town-square"])
    image = png((10, 200, 10), 300)
    f.files[img] = image
    g.file(f"{base}/{img}/chart.png", image)
    g.file(f"{base}/{img}/chart_thumb.jpg", png((10, 200, 10), 120))
    g.file(f"{base}/{img}/chart_preview.jpg", png((10, 200, 10), 300))
    g.add("fileinfo", id=img, creatorid=alice, postid=p["files"], createat=t + 60, updateat=t + 60, deleteat=0,
          path=f"{base}/{img}/chart.png", thumbnailpath=f"{base}/{img}/chart_thumb.jpg",
          previewpath=f"{base}/{img}/chart_preview.jpg", name="chart.png", extension="png", size=len(image),
          mimetype="image/png", width=300, height=300, haspreviewimage=True, minipreview=b"\x01\x02",
          content="", remoteid=None, channelid=f.channels["town-square"])
    gone = new_id()  # a file Mattermost lost from its store
    g.add("fileinfo", id=gone, creatorid=alice, postid=p["dm1"], createat=t + 110, updateat=t + 110, deleteat=0,
          path=f"20231114/teams/noteam/channels/{f.channels[dm]}/users/{alice}/{gone}/lost.txt", thumbnailpath="",
          previewpath="", name="lost.txt", extension="txt", size=4, mimetype="text/plain", width=None, height=None,
          haspreviewimage=False, minipreview=None, content="", remoteid=None, channelid=f.channels[dm])

    root = p["root"]
    g.add("threads", postid=root, replycount=3, lastreplyat=t + 80,
          participants=json.dumps([users["bob"], users["carol"], users["alice"]]),
          channelid=f.channels["town-square"], threaddeleteat=0, threadteamid=team)
    # bob follows and read up to his own reply: two replies unread, one mentioning nobody; carol mentioned
    g.add("threadmemberships", postid=root, userid=users["bob"], following=True, lastviewed=t + 20,
          lastupdated=t + 80, unreadmentions=0)
    g.add("threadmemberships", postid=root, userid=users["carol"], following=True, lastviewed=t + 30,
          lastupdated=t + 80, unreadmentions=1)
    g.add("threadmemberships", postid=root, userid=users["alice"], following=True, lastviewed=t + 80,
          lastupdated=t + 80, unreadmentions=0)
    g.add("threadmemberships", postid=root, userid=users["erin"], following=False, lastviewed=0, lastupdated=t + 80,
          unreadmentions=0)
    # the archived team's thread, bob following it
    g.add("threads", postid=p["old_team"], replycount=1, lastreplyat=t - 39_000,
          participants=json.dumps([users["bob"], users["alice"]]), channelid=f.channels["oldco-general"],
          threaddeleteat=0, threadteamid=f.old_team)
    g.add("threadmemberships", postid=p["old_team"], userid=users["bob"], following=True, lastviewed=t - 39_000,
          lastupdated=t - 39_000, unreadmentions=0)

    f.emoji = new_id()
    g.add("emoji", id=f.emoji, createat=t, updateat=t, deleteat=0, creatorid=alice, name="parrot")
    g.file(f"emoji/{f.emoji}/image", png((250, 200, 0), 64))
    g.add("emoji", id=new_id(), createat=t, updateat=t + 1, deleteat=t + 1, creatorid=alice, name="parrot")
    for user, name, deleted in (("bob", "+1", 0), ("carol", "parrot", 0), ("erin", "smile", t + 99)):
        g.add("reactions", userid=users[user], postid=root, emojiname=name, createat=t + 15,
              updateat=t + 99 if deleted else t + 15, deleteat=deleted, remoteid=None,
              channelid=f.channels["town-square"])

    for user, cat, name, value in (
        ("alice", "flagged_post", p["files"], "true"), ("bob", "flagged_post", root, "true"),
        ("alice", "favorite_channel", f.channels["secret"], "true"),
        ("alice", "display_settings", "use_military_time", "true"),
        ("bob", "theme", "", json.dumps({"type": "Onyx"})),
        ("alice", "direct_channel_show", users["bob"], "true"),
    ):
        g.add("preferences", userid=users[user], category=cat, name=name, value=value)
    g.add("postreminders", postid=p["dm2"], userid=users["bob"], targettime=4_102_444_800)  # "remind me" (seconds)
    cat_id = f"favorites_{alice}_{team}"
    g.add("sidebarcategories", id=cat_id, userid=alice, teamid=team, sortorder=0, sorting="", type="favorites",
          displayname="Favorites", muted=False, collapsed=False)
    g.add("sidebarchannels", channelid=f.channels["secret"], userid=alice, categoryid=cat_id, sortorder=0)
    g.add("sidebarchannels", channelid=f.channels["off-topic"], userid=alice, categoryid=cat_id, sortorder=10)

    f.hook = new_id()
    g.add("incomingwebhooks", id=f.hook, createat=t, updateat=t, deleteat=0, userid=alice,
          channelid=f.channels["town-square"], teamid=team, displayname="CI", description="builds",
          username="ci", iconurl="", channellocked=False)
    f.outgoing = (new_id(), new_id())
    g.add("outgoingwebhooks", id=f.outgoing[0], token=f.outgoing[1], createat=t, updateat=t, deleteat=0,
          creatorid=alice, channelid=f.channels["off-topic"], teamid=team, triggerwords=json.dumps(["deploy"]),
          callbackurls=json.dumps(["https://hooks.example.com/deploy"]), displayname="Deployer",
          contenttype="application/json", triggerwhen=0, username="", iconurl="", description="")
    f.command = (new_id(), new_id())
    g.add("commands", id=f.command[0], token=f.command[1], createat=t, updateat=t, deleteat=0, creatorid=alice,
          teamid=team, trigger="weather", method="P", username="", iconurl="", autocomplete=True,
          autocompletedesc="Forecast", autocompletehint="[city]", displayname="Weather", description="",
          url="https://weather.example.com/cmd", pluginid="")
    f.pat = new_id()
    g.add("useraccesstokens", id=new_id(), token=f.pat, userid=alice, description="deploy script", isactive=True)
    g.add("useraccesstokens", id=new_id(), token=new_id(), userid=users["bob"], description="old", isactive=False)
    f.session, f.expired_session = new_id(), new_id()
    active = int(time.time() * 1000) - 60_000  # an app used a minute ago (an idle session expires)
    g.add("sessions", id=new_id(), token=f.session, createat=t, expiresat=4_102_444_800_000, lastactivityat=active,
          userid=users["bob"], deviceid="", roles="system_user", isoauth=False,
          props=json.dumps({"csrf": new_id(), "platform": "Linux"}), expirednotify=False)
    g.add("sessions", id=new_id(), token=f.expired_session, createat=T0, expiresat=T0 + 1, lastactivityat=T0,
          userid=users["carol"], deviceid="", roles="system_user", isoauth=False, props="{}", expirednotify=True)
    # statuses: one chosen by hand (DND until a time), one from activity (online there), one away by hand
    now = int(time.time() * 1000)
    g.add("status", userid=alice, status="online", manual=False, lastactivityat=now - 5_000, dndendtime=0,
          prevstatus="")
    g.add("status", userid=users["bob"], status="dnd", manual=True, lastactivityat=now - 9_000,
          dndendtime=4_102_444_800, prevstatus="online")
    g.add("status", userid=users["carol"], status="away", manual=True, lastactivityat=now - 7_000, dndendtime=0,
          prevstatus="")
    # carol's custom status lives in her props, as Mattermost keeps it (JSON text)
    carol = next(u for u in g.rows["users"] if u["username"] == "carol")
    carol["props"] = json.dumps({"customStatus": json.dumps({"emoji": "palm_tree", "text": "On vacation",
                                                             "duration": "date_and_time",
                                                             "expires_at": "2099-01-01T00:00:00Z"})})
    # roles: the built-in ones, system_user changed by the admin (no team creation; a permission chinwag
    # does not have); a team scheme with its own roles, assigned to the team
    from chinwag.model import permissions

    for name, role in permissions.BUILTIN_ROLES.items():
        perms = set(role.permissions)
        if name == "system_user":
            perms = (perms - {"create_team"}) | {"playbook_public_create_example"}
        g.add("roles", id=new_id(), name=name, displayname=role.display_name, description="", createat=T0,
              updateat=t + 1 if name == "system_user" else T0, deleteat=0, permissions=" ".join(sorted(perms)),
              schememanaged=role.scheme_managed, builtin=True)
    f.scheme = new_id()
    scheme_roles = {k: f"{k}_{new_id()}"[:64] for k in ("team_admin", "team_user", "channel_admin", "channel_user",
                                                          "team_guest", "channel_guest")}
    for base, name in scheme_roles.items():
        # the scheme: members of acme may not create public channels, and may mention @channel's kin everywhere
        perms = set(permissions.BUILTIN_ROLES[base].permissions)
        if base == "team_user":
            perms = (perms - {"create_public_channel"}) | {"use_group_mentions"}
        g.add("roles", id=new_id(), name=name, displayname=f"{base} of Acme", description="", createat=t, updateat=t,
              deleteat=0, permissions=" ".join(sorted(perms)), schememanaged=True, builtin=False)
    g.add("schemes", id=f.scheme, name=new_id(), displayname="Acme scheme", description="", createat=t, updateat=t,
          deleteat=0, scope="team", defaultteamadminrole=scheme_roles["team_admin"],
          defaultteamuserrole=scheme_roles["team_user"], defaultchanneladminrole=scheme_roles["channel_admin"],
          defaultchanneluserrole=scheme_roles["channel_user"], defaultteamguestrole=scheme_roles["team_guest"],
          defaultchannelguestrole=scheme_roles["channel_guest"])
    g.rows["teams"][0]["schemeid"] = f.scheme
    # channel moderation of off-topic (Mattermost keeps it as a channel scheme): members may not post or react
    f.channel_scheme = new_id()
    moderated = {k: f"{k}_{new_id()}"[:64] for k in ("channel_admin", "channel_user", "channel_guest")}
    for base, name in moderated.items():
        perms = set(permissions.BUILTIN_ROLES[base].permissions)
        if base != "channel_admin":
            perms -= {"create_post", "add_reaction", "remove_reaction"}
        g.add("roles", id=new_id(), name=name, displayname=f"{base} of off-topic", description="", createat=t,
              updateat=t, deleteat=0, permissions=" ".join(sorted(perms)), schememanaged=True, builtin=False)
    g.add("schemes", id=f.channel_scheme, name=new_id(), displayname="", description="", createat=t, updateat=t,
          deleteat=0, scope="channel", defaultteamadminrole="", defaultteamuserrole="", defaultchanneladminrole=
          moderated["channel_admin"], defaultchanneluserrole=moderated["channel_user"], defaultteamguestrole="",
          defaultchannelguestrole=moderated["channel_guest"])
    next(c for c in g.rows["channels"] if c["id"] == f.channels["off-topic"])["schemeid"] = f.channel_scheme
    # server-side drafts: alice's in off-topic and her answer in the release thread (with a priority and a
    # file id), bob's marked deleted (older Mattermost marked a sent draft so)
    f.draft_file = new_id()
    g.add("drafts", createat=t, updateat=t, deleteat=0, userid=alice, channelid=f.channels["off-topic"], rootid="",
          message="half a thought", props="{}", fileids="[]", priority=None, type="")
    g.add("drafts", createat=t, updateat=t + 1, deleteat=0, userid=alice, channelid=f.channels["town-square"],
          rootid=f.posts["root"], message="answering the plan", props='{"disable_group_highlight": true}',
          fileids=json.dumps([f.draft_file]), priority='{"priority": "important"}', type="")
    g.add("drafts", createat=t, updateat=t, deleteat=t + 5, userid=users["bob"], channelid=f.channels["off-topic"],
          rootid="", message="sent", props="{}", fileids="[]", priority=None, type="")
    # an OAuth app alice registered, bob's grant (its token is also his session there) and a stale code
    f.oauth_app, f.oauth_token = new_id(), new_id()
    g.add("oauthapps", id=f.oauth_app, creatorid=alice, createat=t, updateat=t, clientsecret=new_id(), name="Dashboard",
          description="team dashboard", iconurl="", callbackurls=json.dumps(["https://dash.example.com/cb"]),
          homepage="https://dash.example.com", istrusted=False, mattermostappid="")
    g.add("oauthaccessdata", clientid=f.oauth_app, userid=users["bob"], token=f.oauth_token, refreshtoken=new_id(),
          redirecturi="https://dash.example.com/cb", expiresat=4_102_444_800_000, scope="user")
    g.add("preferences", userid=users["bob"], category="oauth_app", name=f.oauth_app, value="user")  # his consent
    g.add("oauthauthdata", clientid=f.oauth_app, userid=users["carol"], code=new_id(), expiresin=600, createat=T0,
          redirecturi="https://dash.example.com/cb", state="x", scope="user")
    g.add("sessions", id=new_id(), token=f.oauth_token, createat=t, expiresat=4_102_444_800_000, lastactivityat=active,
          userid=users["bob"], deviceid="", roles="system_user", isoauth=True, props="{}", expirednotify=False)
    # plugin data: the GitLab plugin's subscriptions (moved); accounts connected there (moved when the plugin's
    # EncryptionKey is known): alice's as the plugin keeps it now (user info, the encrypted OAuth token), bob's
    # as its older versions did (the access token encrypted inside the user info), carol's encrypted with a key
    # rotated out since (not readable); the GitLab-username lookups; Calls' state (not moved)
    gl = "com.github.manland.mattermost-plugin-gitlab"
    f.gitlab_key = "k" * 20 + new_id()[:12]
    f.gitlab_tokens = {"alice": "glpat-alice-" + new_id(), "bob": "glpat-bob-" + new_id()}
    subs = {"Repositories": {"acme/api": [{"ChannelID": f.channels["off-topic"], "CreatorID": alice,
                                            "Features": "merges,issues,tag", "Repository": "acme/api"}]}}
    settings = {"sidebar_buttons": "team", "daily_reminder": False, "notifications": True}
    token = {"access_token": f.gitlab_tokens["alice"], "token_type": "Bearer", "refresh_token": "refresh-alice",
             "expiry": "2026-01-01T00:00:00Z"}  # expired: refreshed when it is next used
    kv = [(gl, "subscriptions", json.dumps(subs)),
          (gl, f"{alice}_userinfo", json.dumps({"UserID": alice, "GitlabUsername": "gl_alice", "GitlabUserID": 101,
                                                "LastToDoPostAt": T0, "Settings": settings,
                                                "AllowedPrivateRepos": False})),
          (gl, f"{alice}_usertoken", gitlab_encrypt(f.gitlab_key, json.dumps(token))),
          (gl, "gl_alice_gitlabusername", alice), (gl, "101_gitlabidusername", "gl_alice"),
          (gl, f"{users['bob']}_gitlabtoken", json.dumps({
              "UserID": users["bob"], "GitlabUsername": "gl_bob", "GitlabUserID": 102, "LastToDoPostAt": T0,
              "Settings": None, "Token": {"access_token": gitlab_encrypt(f.gitlab_key, f.gitlab_tokens["bob"]),
                                          "token_type": "Bearer", "expiry": "0001-01-01T00:00:00Z"}})),
          (gl, "gl_bob_gitlabusername", users["bob"]),
          (gl, f"{users['carol']}_userinfo", json.dumps({"UserID": users["carol"], "GitlabUsername": "gl_carol",
                                                         "GitlabUserID": 103})),
          (gl, f"{users['carol']}_usertoken", gitlab_encrypt("r" * 32, json.dumps(token))),
          ("com.mattermost.calls", f"channel_enable_{f.channels['town-square']}", "true")]
    for plugin, key, value in kv:
        g.add("pluginkeyvaluestore", pluginid=plugin, pkey=key, pvalue=value.encode(), expireat=0)
    # the configuration in the database (Mattermost's config store "database"): the active one has the key
    for active, key in ((None, "o" * 32), (True, f.gitlab_key)):
        config = {"ServiceSettings": {"SiteURL": "https://mm.example.com"},
                  "PluginSettings": {"Plugins": {gl: {"gitlaburl": "https://gitlab.example.com",
                                                      "encryptionkey": key}}}}
        g.add("configurations", id=new_id(), value=json.dumps(config), createat=t, active=active, sha="")
    g.add("systems", name="Version", value="9.11.0")
    g.finish_channels()
    f.counts = {t: len(rows) for t, rows in g.rows.items()}
    return g


async def write(conn: Any, g: Gen) -> None:
    """Create the schema and insert the rows (``conn``: an asyncpg connection)."""
    await conn.execute(SCHEMA)
    for table, rows in g.rows.items():
        cols = list(rows[0])
        await conn.copy_records_to_table(table, records=[tuple(r[c] for c in cols) for r in rows], columns=cols)


def mysql_schema() -> list[str]:
    """The same schema as Mattermost has it on MySQL: CamelCase table names, JSON for jsonb, TEXT for the
    long message, `Trigger` quoted (a reserved word)."""
    from chinwag.importers.mattermost import OTHER, TABLES

    names = {v.lower(): v for v in (*TABLES.values(), *OTHER.values())} | {"systems": "Systems"}
    out = []
    for stmt in SCHEMA.split(";"):
        stmt = stmt.strip()
        if not stmt:
            continue
        table = stmt.split()[2]
        stmt = stmt.replace(f"CREATE TABLE {table} ", f"CREATE TABLE {names[table]} ", 1)
        stmt = (stmt.replace("jsonb", "json").replace("bytea", "longblob").replace("varchar(65535)", "text")
                .replace(" trigger varchar", " `trigger` varchar"))
        out.append(stmt + " CHARACTER SET utf8mb4")
    return out


async def write_mysql(conn: Any, g: Gen) -> None:
    """Create the MySQL schema and insert the rows (``conn``: an asyncmy connection)."""
    from chinwag.importers.mattermost import OTHER, TABLES

    names = {v.lower(): v for v in (*TABLES.values(), *OTHER.values())} | {"systems": "Systems"}
    async with conn.cursor() as cur:
        for stmt in mysql_schema():
            await cur.execute(stmt)
        for table, rows in g.rows.items():
            cols = list(rows[0])
            sql = (f"INSERT INTO {names[table]} ({', '.join(f'`{c}`' for c in cols)}) "
                   f"VALUES ({', '.join(['%s'] * len(cols))})")
            await cur.executemany(sql, [tuple(r[c] for c in cols) for r in rows])
    await conn.commit()
