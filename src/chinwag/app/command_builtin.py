"""Built-in slash commands (/me, /shrug, /echo, /join, /leave, /invite, /kick, /msg, /groupmsg, /header,
/purpose, /rename, /away, /online, /offline, /dnd, /mute, /search, /code, /help)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from chinwag import i18n
from chinwag.app.channel import ChannelService
from chinwag.app.channel_direct import DirectChannelService
from chinwag.app.channel_member import ChannelMemberService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.integration import IntegrationCore
from chinwag.app.post import PostService
from chinwag.app.status import StatusService
from chinwag.i18n import N_
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, CHANNEL_OPEN, DEFAULT_CHANNEL, ChannelPatch
from chinwag.model.errors import AppError
from chinwag.model.integration import (
    RESPONSE_TYPE_EPHEMERAL,
    RESPONSE_TYPE_IN_CHANNEL,
    Command,
    CommandResponse,
)
from chinwag.model.post import POST_TYPE_ME, PostCreate
from chinwag.model.user import STATUS_AWAY, STATUS_DND, STATUS_OFFLINE, STATUS_ONLINE
from chinwag.store.errors import NotFound

SHRUG = "¯\\\\\\_(ツ)\\_/¯"
HELP_LINK = "https://mattermost.com/pl/help/"
ECHO_MAX_DELAY = 10000


@dataclass
class BuiltInServices:
    """What the built-in commands act through, wired once by the composition root."""

    core: AppCore
    directory: Directory
    channels: ChannelService
    members: ChannelMemberService
    direct: DirectChannelService
    posts: PostService
    statuses: StatusService
    integrations: IntegrationCore


@dataclass
class Call:
    """One execution: who, where, and the text after the trigger."""

    services: BuiltInServices
    ctx: Ctx
    channel_id: str
    team_id: str
    root_id: str
    message: str
    site_url: str
    #: the caller's language: every answer goes through it
    t: i18n.Translator = field(default_factory=lambda: i18n.translator(i18n.SOURCE_LOCALE))


Handler = Callable[[Call], Awaitable[CommandResponse]]


@dataclass
class BuiltIn:
    trigger: str
    display_name: str
    description: str
    hint: str
    handler: Handler

    def command(self, t: i18n.Translator | None = None) -> Command:
        """The command as GET /commands lists it, its description and hint in ``t``'s language."""
        tr = t or i18n.translator(i18n.SOURCE_LOCALE)
        return Command(trigger=self.trigger, display_name=self.display_name, auto_complete=True,
                       auto_complete_desc=tr(self.description), auto_complete_hint=tr(self.hint) if self.hint else "")


def ephemeral(text: str) -> CommandResponse:
    return CommandResponse(response_type=RESPONSE_TYPE_EPHEMERAL, text=text)


async def _team_name(c: Call) -> str:
    return (await c.services.directory.team(c.team_id)).name if c.team_id else ""


# posting ------------------------------------------------------------------------------------------


async def _me(c: Call) -> CommandResponse:
    return CommandResponse(response_type=RESPONSE_TYPE_IN_CHANNEL, type=POST_TYPE_ME, text=f"*{c.message}*")


async def _shrug(c: Call) -> CommandResponse:
    text = f"{c.message} {SHRUG}" if c.message else SHRUG
    return CommandResponse(response_type=RESPONSE_TYPE_IN_CHANNEL, text=text)


async def _code(c: Call) -> CommandResponse:
    if not c.message:
        return ephemeral(c.t("A message must be provided with the /code command."))
    text = "    " + "\n    ".join(c.message.split("\n"))
    return CommandResponse(response_type=RESPONSE_TYPE_IN_CHANNEL, text=text, skip_slack_parsing=True)


async def _echo(c: Call) -> CommandResponse:
    message, delay = c.message, 0
    if not message:
        return ephemeral(c.t("A message must be provided with the /echo command."))
    end = message.rfind('"')
    if message.startswith('"') and end > 1:
        tail = message[end:].strip(' "')
        if re.fullmatch(r"-?\d+", tail):
            delay = int(tail)
        message = message[1:end]
    elif " " in message:
        idx = message.rfind(" ")
        tail = message[idx:].strip()
        if re.fullmatch(r"-?\d+", tail):
            delay, message = int(tail), message[:idx]
    if delay > ECHO_MAX_DELAY:
        return ephemeral(c.t("Delays must be under 10000 seconds."))
    data = PostCreate(channel_id=c.channel_id, root_id=c.root_id, message=message)
    if delay <= 0:
        await c.services.posts.create(c.ctx, data)
    else:
        async def later() -> None:
            await asyncio.sleep(delay)
            await c.services.posts.create(c.ctx, data)

        c.services.integrations.spawn(later(), "/echo")
    return CommandResponse()


# channels -----------------------------------------------------------------------------------------


async def _join(c: Call) -> CommandResponse:
    name = c.message.strip().removeprefix("~").lower()
    try:
        ch = await c.services.core.store.channels.get_by_name(c.team_id, name, False)
    except NotFound:
        return ephemeral(c.t("We couldn't find the channel."))
    if ch.type != CHANNEL_OPEN and not await c.services.core.store.channels.is_member(ch.id, c.ctx.user_id):
        return ephemeral(c.t("We couldn't find the channel."))
    try:
        await c.services.members.add_member(c.ctx, ch.id, c.ctx.user_id)
    except AppError:
        return ephemeral(c.t("An error occurred while joining the channel."))
    return CommandResponse(goto_location=f"{c.site_url}/{await _team_name(c)}/channels/{ch.name}")


async def _leave(c: Call) -> CommandResponse:
    ch = await c.services.directory.channel(c.channel_id)
    if ch.name == DEFAULT_CHANNEL:
        return ephemeral(c.t("Unable to leave the default channel {channel}.", {"channel": DEFAULT_CHANNEL}))
    if ch.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
        return ephemeral(c.t("An error occurred while leaving the channel."))
    try:
        await c.services.members.remove_member(c.ctx, ch.id, c.ctx.user_id)
    except AppError:
        return ephemeral(c.t("An error occurred while leaving the channel."))
    return CommandResponse(goto_location=f"{c.site_url}/{await _team_name(c)}/channels/{DEFAULT_CHANNEL}")


def _words(message: str, prefix: str) -> list[str]:
    return [w[1:] for w in re.split(r"[\s,]+", message) if w.startswith(prefix) and len(w) > 1]


async def _invite(c: Call) -> CommandResponse:
    if not c.message.strip():
        return ephemeral(c.t("Missing Username and Channel."))
    names = _words(c.message, "@") or [w for w in c.message.split() if not w.startswith("~")][:1]
    channels = _words(c.message, "~")
    if not names:
        return ephemeral(c.t("Missing Username and Channel."))
    targets = []
    for cname in channels or [""]:
        if not cname:
            targets.append(await c.services.directory.channel(c.channel_id))
            continue
        try:
            targets.append(await c.services.core.store.channels.get_by_name(c.team_id, cname.lower(), False))
        except NotFound:
            return ephemeral(c.t("Could not find the channel {channel}. Please use the channel handle to "
                                  "identify channels.", {"channel": cname}))
    lines = []
    for username in names:
        try:
            user = await c.services.core.store.users.get_by_username(username.lower())
        except NotFound:
            return ephemeral(c.t("We couldn't find the user. They may have been deactivated by the System "
                             "Administrator."))
        if user.delete_at:
            return ephemeral(c.t("We couldn't find the user. They may have been deactivated by the System "
                             "Administrator."))
        for ch in targets:
            if ch.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
                lines.append(c.t("You can't add someone to a direct message channel."))
                continue
            if await c.services.core.store.channels.is_member(ch.id, user.id):
                lines.append(c.t("@{username} is already in the channel.", {"username": user.username}))
                continue
            try:
                await c.services.members.add_member(c.ctx, ch.id, user.id)
            except AppError as e:
                if e.id == "api.channel.add_members.user_denied":
                    lines.append(c.t("@{username} is not a member of the team.", {"username": user.username}))
                elif e.status_code == 403:
                    lines.append(c.t("You don't have enough permissions to add @{username} in ~{channel}.",
                                     {"username": user.username, "channel": ch.name}))
                else:
                    lines.append(c.t("Unable to add @{username} to ~{channel}.",
                                     {"username": user.username, "channel": ch.name}))
                continue
            if ch.id != c.channel_id:
                lines.append(c.t("@{username} added to ~{channel} channel.",
                                 {"username": user.username, "channel": ch.name}))
    return ephemeral("\n".join(lines)) if lines else CommandResponse()


async def _kick(c: Call) -> CommandResponse:
    name = c.message.strip().removeprefix("@").lower()
    if not name:
        return ephemeral(c.t("A message must be provided with the /remove or /kick command."))
    ch = await c.services.directory.channel(c.channel_id)
    if ch.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
        return ephemeral(c.t("You can't remove someone from a direct message channel."))
    try:
        user = await c.services.core.store.users.get_by_username(name.split()[0])
    except NotFound:
        return ephemeral(c.t("We couldn't find the user. They may have been deactivated by the System "
                         "Administrator."))
    if not await c.services.core.store.channels.is_member(ch.id, user.id):
        return ephemeral(c.t("@{username} is not a member of this channel.", {"username": user.username}))
    try:
        await c.services.members.remove_member(c.ctx, ch.id, user.id)
    except AppError as e:
        if e.status_code == 403:
            return ephemeral(c.t("You don't have the appropriate permissions to remove the member."))
        return ephemeral(e.localized(c.t.gettext))
    return CommandResponse()


async def _msg(c: Call) -> CommandResponse:
    parts = c.message.strip().split(None, 1)
    if not parts:
        return ephemeral(c.t("We couldn't find the user."))
    try:
        user = await c.services.core.store.users.get_by_username(parts[0].removeprefix("@").lower())
    except NotFound:
        return ephemeral(c.t("We couldn't find the user."))
    try:
        ch, _ = await c.services.direct.create_direct(c.ctx, [c.ctx.user_id, user.id])
    except AppError as e:
        if e.status_code == 403:
            return ephemeral(c.t("You don't have the appropriate permissions to direct message this user."))
        return ephemeral(c.t("An error occurred while creating the direct message."))
    if len(parts) > 1 and parts[1].strip():
        await c.services.posts.create(c.ctx, PostCreate(channel_id=ch.id, message=parts[1]))
    return CommandResponse(goto_location=f"{c.site_url}/{await _team_name(c)}/messages/@{user.username}")


async def _groupmsg(c: Call) -> CommandResponse:
    m = re.match(r"\s*((?:@?[a-z0-9.\-_]+\s*,\s*)*@?[a-z0-9.\-_]+)(.*)$", c.message, re.S | re.I)
    if not m:
        return ephemeral(c.t("You must specify at least 2 users when using /groupmsg."))
    names = [n.strip().removeprefix("@").lower() for n in m.group(1).split(",") if n.strip()]
    users = await c.services.core.store.users.get_many_by_usernames(names)
    found = {u.username for u in users}
    missing = [n for n in names if n not in found]
    if missing:
        return ephemeral(c.t.ngettext("Unable to find the user: {users}", "Unable to find the users: {users}",
                                        len(missing), {"users": ", ".join(f"@{n}" for n in missing)}))
    ids = list(dict.fromkeys([c.ctx.user_id, *(u.id for u in users)]))
    if len(ids) < 3:
        return ephemeral(c.t("You must specify at least 2 users when using /groupmsg."))
    if len(ids) > 8:
        return ephemeral(c.t("Group messages are limited to a maximum of 8 users."))
    try:
        ch, _ = await c.services.direct.create_group(c.ctx, ids)
    except AppError:
        return ephemeral(c.t("An error occurred while creating the group message."))
    text = m.group(2).strip()
    if text:
        await c.services.posts.create(c.ctx, PostCreate(channel_id=ch.id, message=text))
    return CommandResponse(goto_location=f"{c.site_url}/{await _team_name(c)}/messages/{ch.name}")


def _patcher(field: str, limit: int, no_dm: bool, texts: tuple[str, str, str, str, str]) -> Handler:
    """/header, /purpose, /rename; ``texts``: no text given, a DM, too long, not allowed, failed."""
    async def run(c: Call) -> CommandResponse:
        value = c.message.strip() if field == "display_name" else c.message
        if not value:
            return ephemeral(c.t(texts[0]))
        ch = await c.services.directory.channel(c.channel_id)
        if no_dm and ch.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
            return ephemeral(c.t(texts[1]))
        if len(value) > limit:
            return ephemeral(c.t(texts[2], {"max": limit}))
        try:
            patch = ChannelPatch()
            setattr(patch, field, value)
            await c.services.channels.patch(c.ctx, ch.id, patch)
        except AppError as e:
            if e.status_code == 403:
                return ephemeral(c.t(texts[3]))
            return ephemeral(c.t(texts[4]))
        return CommandResponse()

    return run


def _status(status: str, text: str) -> Handler:
    async def run(c: Call) -> CommandResponse:
        await c.services.statuses.set(c.ctx, c.ctx.user_id, status)
        return ephemeral(c.t(text))

    return run


async def _mute(c: Call) -> CommandResponse:
    name = c.message.strip().removeprefix("~").lower()
    try:
        ch = (await c.services.core.store.channels.get_by_name(c.team_id, name, False) if name
              else await c.services.directory.channel(c.channel_id))
    except (NotFound, AppError):
        return ephemeral(c.t("Could not find the specified channel. Please use the channel handle to identify "
                         "channels."))
    try:
        member = await c.services.core.store.channels.get_member(ch.id, c.ctx.user_id)
    except NotFound:
        return ephemeral(c.t("Could not mute channel {channel} as you are not a member.",
                               {"channel": ch.display_name or ch.name}))
    muted = member.notify_props.get("mark_unread") == "mention"
    await c.services.members.update_notify_props(c.ctx, ch.id, c.ctx.user_id,
                                             {"mark_unread": "all" if muted else "mention"})
    if ch.type in (CHANNEL_OPEN, "P") or ch.display_name:
        label = {"channel": f"~{ch.name}" if ch.type in (CHANNEL_OPEN, "P") else ch.display_name}
        if muted:
            return ephemeral(c.t("{channel} is now unmuted.", label))
        return ephemeral(c.t("You will not receive notifications for {channel} until channel mute is turned off.", label))
    if muted:
        return ephemeral(c.t("This channel is now unmuted."))
    return ephemeral(c.t("You will not receive notifications for this channel until channel mute is turned off."))


async def _search(c: Call) -> CommandResponse:
    return ephemeral(c.t("The search command is not supported on your device."))


async def _help(c: Call) -> CommandResponse:
    return CommandResponse(goto_location=c.services.core.cfg.SupportSettings.HelpLink or HELP_LINK)


HEADER = (N_("A message must be provided with the /header command."),
          N_("Unable to set header for direct message channels."),
          N_("The header must be {max} or fewer characters."),
          N_("You don't have the appropriate permissions to edit the channel header."),
          N_("Error updating the channel header."))
PURPOSE = (N_("A message must be provided with the /purpose command."),
           N_("Unable to set purpose for direct message channels."),
           N_("The purpose must be {max} or fewer characters."),
           N_("You don't have the appropriate permissions to edit the channel purpose."),
           N_("Error updating the channel purpose."))
RENAME = (N_("A message must be provided with the /rename command."),
          N_("Unable to set name for direct message channels."),
          N_("The display name must be {max} or fewer characters."),
          N_("You don't have the appropriate permissions to edit the channel name."),
          N_("Error updating the channel name."))

BUILT_INS: dict[str, BuiltIn] = {b.trigger: b for b in (
    BuiltIn("away", "away", N_("Set your status away"), "", _status(STATUS_AWAY, N_("You are now away"))),
    BuiltIn("code", "code", N_("Display text as a code block"), N_("[text]"), _code),
    BuiltIn("dnd", "dnd", N_("Do not disturb disables desktop and mobile push notifications."), "",
            _status(STATUS_DND, N_("Do Not Disturb is enabled. You will not receive desktop or mobile push "
                                   "notifications until Do Not Disturb is turned off."))),
    BuiltIn("echo", "echo", N_("Echo back text from your account"), N_("'message' [delay in seconds]"), _echo),
    BuiltIn("groupmsg", "groupmsg", N_("Sends a Group Message to the specified users"),
            N_("@[username1],@[username2] 'message'"), _groupmsg),
    BuiltIn("header", "header", N_("Edit the channel header"), N_("[text]"), _patcher("header", 1024, False, HEADER)),
    BuiltIn("help", "help", N_("Open the Mattermost help page"), "", _help),
    BuiltIn("invite", "invite", N_("Invite users to a channel"), N_("@[username] ~[channel]"), _invite),
    BuiltIn("join", "join", N_("Join the open channel"), N_("~[channel]"), _join),
    BuiltIn("kick", "kick", N_("Remove a member from the channel"), N_("@[username]"), _kick),
    BuiltIn("leave", "leave", N_("Leave the current channel"), "", _leave),
    BuiltIn("me", "me", N_("Do an action"), N_("[message]"), _me),
    BuiltIn("msg", "msg", N_("Send Direct Message to a user"), N_("@[username] 'message'"), _msg),
    BuiltIn("mute", "mute", N_("Turns off desktop, email and push notifications for the current channel or the "
            "[channel] specified."), N_("~[channel]"), _mute),
    BuiltIn("offline", "offline", N_("Set your status offline"), "", _status(STATUS_OFFLINE, N_("You are now offline"))),
    BuiltIn("online", "online", N_("Set your status online"), "", _status(STATUS_ONLINE, N_("You are now online"))),
    BuiltIn("purpose", "purpose", N_("Edit the channel purpose"), N_("[text]"), _patcher("purpose", 250, True, PURPOSE)),
    BuiltIn("remove", "remove", N_("Remove a member from the channel"), N_("@[username]"), _kick),
    BuiltIn("rename", "rename", N_("Rename the channel"), N_("[text]"), _patcher("display_name", 64, True, RENAME)),
    BuiltIn("search", "search", N_("Search text in messages"), N_("[text]"), _search),
    BuiltIn("shrug", "shrug", N_("Adds ¯\\_(ツ)_/¯ to your message"), N_("[message]"), _shrug),
)}
