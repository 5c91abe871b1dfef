"""Built-in slash commands (/me, /shrug, /echo, /join, /leave, /invite, /kick, /msg, /groupmsg, /header,
/purpose, /rename, /away, /online, /offline, /dnd, /mute, /search, /code, /help)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chinwag.app.context import Ctx
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

if TYPE_CHECKING:
    from chinwag.app.app import App

SHRUG = "¯\\\\\\_(ツ)\\_/¯"
HELP_LINK = "https://mattermost.com/pl/help/"
ECHO_MAX_DELAY = 10000


@dataclass
class Call:
    """One execution: who, where, and the text after the trigger."""

    app: App
    ctx: Ctx
    channel_id: str
    team_id: str
    root_id: str
    message: str
    site_url: str


Handler = Callable[[Call], Awaitable[CommandResponse]]


@dataclass
class BuiltIn:
    trigger: str
    display_name: str
    description: str
    hint: str
    handler: Handler

    def command(self) -> Command:
        return Command(trigger=self.trigger, display_name=self.display_name, auto_complete=True,
                       auto_complete_desc=self.description, auto_complete_hint=self.hint)


def ephemeral(text: str) -> CommandResponse:
    return CommandResponse(response_type=RESPONSE_TYPE_EPHEMERAL, text=text)


async def _team_name(c: Call) -> str:
    return (await c.app.teams.get(c.team_id)).name if c.team_id else ""


# posting ------------------------------------------------------------------------------------------


async def _me(c: Call) -> CommandResponse:
    return CommandResponse(response_type=RESPONSE_TYPE_IN_CHANNEL, type=POST_TYPE_ME, text=f"*{c.message}*")


async def _shrug(c: Call) -> CommandResponse:
    text = f"{c.message} {SHRUG}" if c.message else SHRUG
    return CommandResponse(response_type=RESPONSE_TYPE_IN_CHANNEL, text=text)


async def _code(c: Call) -> CommandResponse:
    if not c.message:
        return ephemeral("A message must be provided with the /code command.")
    text = "    " + "\n    ".join(c.message.split("\n"))
    return CommandResponse(response_type=RESPONSE_TYPE_IN_CHANNEL, text=text, skip_slack_parsing=True)


async def _echo(c: Call) -> CommandResponse:
    message, delay = c.message, 0
    if not message:
        return ephemeral("A message must be provided with the /echo command.")
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
        return ephemeral("Delays must be under 10000 seconds.")
    data = PostCreate(channel_id=c.channel_id, root_id=c.root_id, message=message)
    if delay <= 0:
        await c.app.posts.create(c.ctx, data)
    else:
        async def later() -> None:
            await asyncio.sleep(delay)
            await c.app.posts.create(c.ctx, data)

        c.app.integrations.spawn(later(), "/echo")
    return CommandResponse()


# channels -----------------------------------------------------------------------------------------


async def _join(c: Call) -> CommandResponse:
    name = c.message.strip().removeprefix("~").lower()
    try:
        ch = await c.app.store.channels.get_by_name(c.team_id, name, False)
    except NotFound:
        return ephemeral("We couldn't find the channel.")
    if ch.type != CHANNEL_OPEN and not await c.app.store.channels.is_member(ch.id, c.ctx.user_id):
        return ephemeral("We couldn't find the channel.")
    try:
        await c.app.channels.add_member(c.ctx, ch.id, c.ctx.user_id)
    except AppError:
        return ephemeral("An error occurred while joining the channel.")
    return CommandResponse(goto_location=f"{c.site_url}/{await _team_name(c)}/channels/{ch.name}")


async def _leave(c: Call) -> CommandResponse:
    ch = await c.app.channels.get(c.channel_id)
    if ch.name == DEFAULT_CHANNEL:
        return ephemeral(f"Unable to leave the default channel {DEFAULT_CHANNEL}.")
    if ch.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
        return ephemeral("An error occurred while leaving the channel.")
    try:
        await c.app.channels.remove_member(c.ctx, ch.id, c.ctx.user_id)
    except AppError:
        return ephemeral("An error occurred while leaving the channel.")
    return CommandResponse(goto_location=f"{c.site_url}/{await _team_name(c)}/channels/{DEFAULT_CHANNEL}")


def _words(message: str, prefix: str) -> list[str]:
    return [w[1:] for w in re.split(r"[\s,]+", message) if w.startswith(prefix) and len(w) > 1]


async def _invite(c: Call) -> CommandResponse:
    if not c.message.strip():
        return ephemeral("Missing Username and Channel.")
    names = _words(c.message, "@") or [w for w in c.message.split() if not w.startswith("~")][:1]
    channels = _words(c.message, "~")
    if not names:
        return ephemeral("Missing Username and Channel.")
    targets = []
    for cname in channels or [""]:
        if not cname:
            targets.append(await c.app.channels.get(c.channel_id))
            continue
        try:
            targets.append(await c.app.store.channels.get_by_name(c.team_id, cname.lower(), False))
        except NotFound:
            return ephemeral(f"Could not find the channel {cname}. Please use the channel handle to identify "
                             "channels.")
    lines = []
    for username in names:
        try:
            user = await c.app.store.users.get_by_username(username.lower())
        except NotFound:
            return ephemeral("We couldn't find the user. They may have been deactivated by the System "
                             "Administrator.")
        if user.delete_at:
            return ephemeral("We couldn't find the user. They may have been deactivated by the System "
                             "Administrator.")
        for ch in targets:
            if ch.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
                lines.append("You can't add someone to a direct message channel.")
                continue
            if await c.app.store.channels.is_member(ch.id, user.id):
                lines.append(f"@{user.username} is already in the channel.")
                continue
            try:
                await c.app.channels.add_member(c.ctx, ch.id, user.id)
            except AppError as e:
                if e.id == "api.channel.add_members.user_denied":
                    lines.append(f"@{user.username} is not a member of the team.")
                elif e.status_code == 403:
                    lines.append(f"You don't have enough permissions to add @{user.username} in "
                                 f"~{ch.name}.")
                else:
                    lines.append(f"Unable to add @{user.username} to ~{ch.name}.")
                continue
            if ch.id != c.channel_id:
                lines.append(f"@{user.username} added to ~{ch.name} channel.")
    return ephemeral("\n".join(lines)) if lines else CommandResponse()


async def _kick(c: Call) -> CommandResponse:
    name = c.message.strip().removeprefix("@").lower()
    if not name:
        return ephemeral("A message must be provided with the /remove or /kick command.")
    ch = await c.app.channels.get(c.channel_id)
    if ch.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
        return ephemeral("You can't remove someone from a direct message channel.")
    try:
        user = await c.app.store.users.get_by_username(name.split()[0])
    except NotFound:
        return ephemeral("We couldn't find the user. They may have been deactivated by the System "
                         "Administrator.")
    if not await c.app.store.channels.is_member(ch.id, user.id):
        return ephemeral(f"@{user.username} is not a member of this channel.")
    try:
        await c.app.channels.remove_member(c.ctx, ch.id, user.id)
    except AppError as e:
        if e.status_code == 403:
            return ephemeral("You don't have the appropriate permissions to remove the member.")
        return ephemeral(e.message)
    return CommandResponse()


async def _msg(c: Call) -> CommandResponse:
    parts = c.message.strip().split(None, 1)
    if not parts:
        return ephemeral("We couldn't find the user.")
    try:
        user = await c.app.store.users.get_by_username(parts[0].removeprefix("@").lower())
    except NotFound:
        return ephemeral("We couldn't find the user.")
    try:
        ch, _ = await c.app.channels.create_direct(c.ctx, [c.ctx.user_id, user.id])
    except AppError as e:
        if e.status_code == 403:
            return ephemeral("You don't have the appropriate permissions to direct message this user.")
        return ephemeral("An error occurred while creating the direct message.")
    if len(parts) > 1 and parts[1].strip():
        await c.app.posts.create(c.ctx, PostCreate(channel_id=ch.id, message=parts[1]))
    return CommandResponse(goto_location=f"{c.site_url}/{await _team_name(c)}/messages/@{user.username}")


async def _groupmsg(c: Call) -> CommandResponse:
    m = re.match(r"\s*((?:@?[a-z0-9.\-_]+\s*,\s*)*@?[a-z0-9.\-_]+)(.*)$", c.message, re.S | re.I)
    if not m:
        return ephemeral("You must specify at least 2 users when using /groupmsg.")
    names = [n.strip().removeprefix("@").lower() for n in m.group(1).split(",") if n.strip()]
    users = await c.app.store.users.get_many_by_usernames(names)
    found = {u.username for u in users}
    missing = [n for n in names if n not in found]
    if missing:
        return ephemeral(f"Unable to find the user{'s' if len(missing) > 1 else ''}: "
                         + ", ".join(f"@{n}" for n in missing))
    ids = list(dict.fromkeys([c.ctx.user_id, *(u.id for u in users)]))
    if len(ids) < 3:
        return ephemeral("You must specify at least 2 users when using /groupmsg.")
    if len(ids) > 8:
        return ephemeral("Group messages are limited to a maximum of 8 users.")
    try:
        ch, _ = await c.app.channels.create_group(c.ctx, ids)
    except AppError:
        return ephemeral("An error occurred while creating the group message.")
    text = m.group(2).strip()
    if text:
        await c.app.posts.create(c.ctx, PostCreate(channel_id=ch.id, message=text))
    return CommandResponse(goto_location=f"{c.site_url}/{await _team_name(c)}/messages/{ch.name}")


def _patcher(field: str, what: str, limit: int, no_dm: bool) -> Handler:
    async def run(c: Call) -> CommandResponse:
        value = c.message.strip() if field == "display_name" else c.message
        if not value:
            return ephemeral(f"A message must be provided with the /{what} command.")
        ch = await c.app.channels.get(c.channel_id)
        if no_dm and ch.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
            return ephemeral(f"Unable to set {field.replace('display_', '')} for direct message channels.")
        if len(value) > limit:
            return ephemeral(f"The {field.replace('_', ' ')} must be {limit} or fewer characters.")
        try:
            patch = ChannelPatch()
            setattr(patch, field, value)
            await c.app.channels.patch(c.ctx, ch.id, patch)
        except AppError as e:
            if e.status_code == 403:
                return ephemeral(f"You don't have the appropriate permissions to edit the channel "
                                 f"{field.replace('display_', '')}.")
            return ephemeral(f"Error updating the channel {field.replace('display_', '')}.")
        return CommandResponse()

    return run


def _status(status: str, text: str) -> Handler:
    async def run(c: Call) -> CommandResponse:
        await c.app.statuses.set(c.ctx, c.ctx.user_id, status)
        return ephemeral(text)

    return run


async def _mute(c: Call) -> CommandResponse:
    name = c.message.strip().removeprefix("~").lower()
    try:
        ch = (await c.app.store.channels.get_by_name(c.team_id, name, False) if name
              else await c.app.channels.get(c.channel_id))
    except (NotFound, AppError):
        return ephemeral("Could not find the specified channel. Please use the channel handle to identify "
                         "channels.")
    try:
        member = await c.app.store.channels.get_member(ch.id, c.ctx.user_id)
    except NotFound:
        return ephemeral(f"Could not mute channel {ch.display_name or ch.name} as you are not a member.")
    muted = member.notify_props.get("mark_unread") == "mention"
    await c.app.channels.update_notify_props(c.ctx, ch.id, c.ctx.user_id,
                                             {"mark_unread": "all" if muted else "mention"})
    label = f"~{ch.name}" if ch.type in (CHANNEL_OPEN, "P") else (ch.display_name or "this channel")
    if muted:
        return ephemeral(f"{label} is now unmuted.")
    return ephemeral(f"You will not receive notifications for {label} until channel mute is turned off.")


async def _search(c: Call) -> CommandResponse:
    return ephemeral("The search command is not supported on your device.")


async def _help(c: Call) -> CommandResponse:
    return CommandResponse(goto_location=c.app.config.config.SupportSettings.HelpLink or HELP_LINK)


BUILT_INS: dict[str, BuiltIn] = {b.trigger: b for b in (
    BuiltIn("away", "away", "Set your status away", "", _status(STATUS_AWAY, "You are now away")),
    BuiltIn("code", "code", "Display text as a code block", "[text]", _code),
    BuiltIn("dnd", "dnd", "Do not disturb disables desktop and mobile push notifications.", "",
            _status(STATUS_DND, "Do Not Disturb is enabled. You will not receive desktop or mobile push "
                                "notifications until Do Not Disturb is turned off.")),
    BuiltIn("echo", "echo", "Echo back text from your account", "'message' [delay in seconds]", _echo),
    BuiltIn("groupmsg", "groupmsg", "Sends a Group Message to the specified users",
            "@[username1],@[username2] 'message'", _groupmsg),
    BuiltIn("header", "header", "Edit the channel header", "[text]", _patcher("header", "header", 1024, False)),
    BuiltIn("help", "help", "Open the Mattermost help page", "", _help),
    BuiltIn("invite", "invite", "Invite users to a channel", "@[username] ~[channel]", _invite),
    BuiltIn("join", "join", "Join the open channel", "~[channel]", _join),
    BuiltIn("kick", "kick", "Remove a member from the channel", "@[username]", _kick),
    BuiltIn("leave", "leave", "Leave the current channel", "", _leave),
    BuiltIn("me", "me", "Do an action", "[message]", _me),
    BuiltIn("msg", "msg", "Send Direct Message to a user", "@[username] 'message'", _msg),
    BuiltIn("mute", "mute", "Turns off desktop, email and push notifications for the current channel or the "
            "[channel] specified.", "~[channel]", _mute),
    BuiltIn("offline", "offline", "Set your status offline", "", _status(STATUS_OFFLINE, "You are now offline")),
    BuiltIn("online", "online", "Set your status online", "", _status(STATUS_ONLINE, "You are now online")),
    BuiltIn("purpose", "purpose", "Edit the channel purpose", "[text]", _patcher("purpose", "purpose", 250, True)),
    BuiltIn("remove", "remove", "Remove a member from the channel", "@[username]", _kick),
    BuiltIn("rename", "rename", "Rename the channel", "[text]", _patcher("display_name", "rename", 64, True)),
    BuiltIn("search", "search", "Search text in messages", "[text]", _search),
    BuiltIn("shrug", "shrug", "Adds ¯\\_(ツ)_/¯ to your message", "[message]", _shrug),
)}
