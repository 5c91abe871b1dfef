"""Slash commands: custom commands (CRUD, execution over HTTP, response_url follow-ups), built-ins,
command responses (in-channel posts, ephemeral messages, extra responses) and autocomplete."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import httpx
import msgspec

from chinwag import i18n
from chinwag.app.command_builtin import BUILT_INS, BuiltInServices, Call
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.integration import IntegrationCore, user_ctx
from chinwag.app.outbound import OutboundRefused
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.post import PostService
from chinwag.app.signing import SigningService
from chinwag.app.webhook_outgoing import is_valid_http_url
from chinwag.model import permissions, slack
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, CHANNEL_OPEN
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.integration import (
    COMMAND_METHOD_GET,
    COMMAND_METHOD_POST,
    COMMAND_WEBHOOK_TTL_MS,
    COMMAND_WEBHOOK_USES,
    RESPONSE_TYPE_EPHEMERAL,
    RESPONSE_TYPE_IN_CHANNEL,
    Command,
    CommandArgs,
    CommandResponse,
    CommandWebhook,
)
from chinwag.model.post import POST_TYPE_EPHEMERAL, POST_TYPE_SLACK_ATTACHMENT, Post, PostCreate
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import InvalidInput, NotFound, StoreError

_AT_MENTION = re.compile(r"\B@([A-Za-z0-9][A-Za-z0-9.\-_:]*)")
_CHANNEL_MENTION = re.compile(r"\B~([a-z0-9.\-_]+)")


def _disabled(where: str) -> AppError:
    return AppError(where, "api.command.disabled.app_error", "Commands have been disabled by the system admin.",
                    501)


def _not_found(where: str = "GetCommand") -> AppError:
    return AppError(where, "store.sql_command.save.get.app_error", "Unable to get the command.", 404)


def decode_response(content_type: str, body: bytes) -> CommandResponse:
    """Mattermost's CommandResponseFromHTTPBody: JSON when the content type says so, else the text."""
    if content_type.split(";")[0].strip().lower() == "application/json":
        data = slack.decode_json_lenient(body)
        return response_from(data)
    return CommandResponse(text=body.decode("utf-8", "replace"))


def response_from(data: Any, depth: int = 0) -> CommandResponse:
    if not isinstance(data, dict):
        raise slack.PayloadError("expected a JSON object")
    out = CommandResponse()
    for key in ("response_type", "text", "username", "channel_id", "icon_url", "type", "goto_location",
                "trigger_id"):
        v = data.get(key)
        if v is not None and not isinstance(v, str):
            raise slack.PayloadError(f"{key}: expected a string")
        setattr(out, key, v or "")
    if isinstance(data.get("skip_slack_parsing"), bool):
        out.skip_slack_parsing = data["skip_slack_parsing"]
    props = data.get("props")
    if props is not None and not isinstance(props, dict):
        raise slack.PayloadError("props: expected an object")
    out.props = props
    out.attachments = slack.normalize_attachments(data.get("attachments"))
    extra = data.get("extra_responses")
    if extra is not None and depth == 0:
        if not isinstance(extra, list):
            raise slack.PayloadError("extra_responses: expected an array")
        out.extra_responses = [response_from(e, 1) for e in extra if e is not None]
    return out


class CommandService:
    def __init__(
        self,
        core: AppCore,
        directory: Directory,
        perms: PermissionService,
        integ: IntegrationCore,
        posts: PostService,
        builtins: BuiltInServices,
        signing: SigningService,
        plugin_hooks: PluginHooks,
    ) -> None:
        self.signing = signing
        self.core = core
        self.directory = directory
        self.perms = perms
        self.integ = integ
        self.posts = posts
        self.builtins = builtins
        self.plugin_hooks = plugin_hooks
        self._cleaned_at = 0

    def _enabled(self, where: str) -> None:
        if not self.core.cfg.ServiceSettings.EnableCommands:
            raise _disabled(where)

    async def _get(self, command_id: str, where: str) -> Command:
        self._enabled(where)
        try:
            return await self.core.store.commands.get(command_id)
        except NotFound:
            raise _not_found() from None

    async def _require_manage(self, ctx: Ctx, cmd: Command) -> None:
        """Mattermost answers "not found" rather than revealing a command to those who may not manage it."""
        if not await self.perms.has_team(ctx, cmd.team_id, permissions.MANAGE_SLASH_COMMANDS):
            raise _not_found()
        if ctx.user_id != cmd.creator_id and not await self.perms.has_team(
                ctx, cmd.team_id, permissions.MANAGE_OTHERS_SLASH_COMMANDS):
            raise permission_denied("updateCommand", f"permission={permissions.MANAGE_OTHERS_SLASH_COMMANDS}")

    async def _check(self, cmd: Command, where: str) -> None:
        def bad(name: str) -> AppError:
            return AppError("Command.IsValid", f"model.command.is_valid.{name}.app_error", "Invalid {Name}.", 400,
                            params={"Name": name})

        if not is_valid_id(cmd.team_id):
            raise bad("team_id")
        if not 1 <= len(cmd.trigger) <= 128 or cmd.trigger.startswith("/") or " " in cmd.trigger:
            raise bad("trigger")
        if not cmd.url or len(cmd.url) > 1024:
            raise bad("url")
        if not is_valid_http_url(cmd.url):
            raise bad("url_http")
        if cmd.method not in (COMMAND_METHOD_GET, COMMAND_METHOD_POST):
            raise bad("method")
        if len(cmd.display_name) > 64:
            raise bad("display_name")
        if len(cmd.description) > 128:
            raise bad("description")
        duplicate = AppError(where, "api.command.duplicate_trigger.app_error", "This trigger word is already in use. "
                             "Please choose another word.", 400)
        if cmd.trigger in BUILT_INS:
            raise duplicate
        for other in await self.core.store.commands.list_for_team(cmd.team_id):
            if other.id != cmd.id and other.trigger.lower() == cmd.trigger:
                raise duplicate

    # CRUD ---------------------------------------------------------------------------------------

    async def create(self, ctx: Ctx, data: Command) -> Command:
        where = "createCommand"
        await self.perms.require_team(ctx, data.team_id, permissions.MANAGE_SLASH_COMMANDS, where)
        creator = ctx.user_id
        if data.creator_id and data.creator_id != ctx.user_id:
            await self.perms.require_team(ctx, data.team_id, permissions.MANAGE_OTHERS_SLASH_COMMANDS, where)
            await self.directory.user(data.creator_id, where)
            creator = data.creator_id
        self._enabled("CreateCommand")
        now = self.core.now()
        cmd = msgspec.structs.replace(data, id=new_id(), token=new_id(), create_at=now, update_at=now, delete_at=0,
                                      creator_id=creator, trigger=data.trigger.lower(), plugin_id="")
        await self._check(cmd, "CreateCommand")
        await self.core.store.commands.save(cmd)
        return cmd

    async def get(self, ctx: Ctx, command_id: str) -> Command:
        cmd = await self._get(command_id, "GetCommand")
        if not await self.perms.has_team(ctx, cmd.team_id, permissions.VIEW_TEAM):
            raise _not_found()
        if not await self.perms.has_team(ctx, cmd.team_id, permissions.MANAGE_SLASH_COMMANDS):
            raise _not_found()
        if ctx.user_id != cmd.creator_id and not await self.perms.has_team(
                ctx, cmd.team_id, permissions.MANAGE_OTHERS_SLASH_COMMANDS):
            raise _not_found()
        return cmd

    async def update(self, ctx: Ctx, command_id: str, data: Command) -> Command:
        where = "updateCommand"
        if data.id != command_id:
            raise invalid_param(where, "command")
        try:
            old = await self._get(command_id, where)
        except AppError as e:
            raise (e if e.status_code == 501 else _not_found()) from None
        if data.team_id != old.team_id:
            raise AppError(where, "api.command.team_mismatch.app_error", "Unable to update command across teams.",
                           400)
        await self._require_manage(ctx, old)
        cmd = msgspec.structs.replace(data, id=old.id, token=old.token, create_at=old.create_at,
                                      update_at=self.core.now(), delete_at=0, creator_id=old.creator_id,
                                      plugin_id=old.plugin_id, team_id=old.team_id, trigger=data.trigger.lower())
        await self._check(cmd, "UpdateCommand")
        await self._store_update(cmd)
        return cmd

    async def _store_update(self, cmd: Command) -> None:
        try:
            await self.core.store.commands.update(cmd)
        except StoreError:
            raise AppError("SqlCommandStore.Update", "store.sql_command.update.missing.app_error",
                           "Unable to find the command.", 404) from None

    async def regen_token(self, ctx: Ctx, command_id: str) -> Command:
        cmd = await self._get(command_id, "regenCommandToken")
        await self._require_manage(ctx, cmd)
        cmd.token = new_id()
        cmd.update_at = self.core.now()
        await self._store_update(cmd)
        return cmd

    async def delete(self, ctx: Ctx, command_id: str) -> None:
        cmd = await self._get(command_id, "deleteCommand")
        await self._require_manage(ctx, cmd)
        await self.core.store.commands.delete(cmd.id, self.core.now())

    async def translator(self, ctx: Ctx) -> i18n.Translator:
        """The caller's language (their ``locale``, else the server's), for the built-in commands' words."""
        default = self.core.cfg.LocalizationSettings.DefaultServerLocale
        locale = (await self.directory.user(ctx.user_id)).locale if ctx.user_id else ""
        return i18n.translator(i18n.pick(locale, default))

    async def list_commands(self, ctx: Ctx, team_id: str, custom_only: bool) -> list[Command]:
        where = "listCommands"
        if not team_id:
            raise invalid_param(where, "team_id")
        await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, where)
        can_manage = await self.perms.has_team(ctx, team_id, permissions.MANAGE_SLASH_COMMANDS)
        owner = "" if await self.perms.has_team(ctx, team_id, permissions.MANAGE_OTHERS_SLASH_COMMANDS) else ctx.user_id
        if custom_only:
            if not can_manage:
                raise permission_denied(where, f"permission={permissions.MANAGE_SLASH_COMMANDS}")
            self._enabled("ListTeamCommands")
            return [c for c in await self.core.store.commands.list_for_team(team_id)
                    if not owner or c.creator_id == owner]
        if not can_manage:
            return await self.autocomplete(ctx, team_id)
        t = await self.translator(ctx)
        out = [b.command(t) for b in BUILT_INS.values()]
        if self.core.cfg.ServiceSettings.EnableCommands:
            seen = set(BUILT_INS)
            for c in await self.core.store.commands.list_for_team(team_id):
                if c.trigger not in seen and (not owner or c.creator_id == owner):
                    seen.add(c.trigger)
                    out.append(c.sanitized())
        return out

    async def autocomplete(self, ctx: Ctx, team_id: str) -> list[Command]:
        await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, "listAutocompleteCommands")
        out: list[Command] = []
        seen: set[str] = set()
        if self.core.cfg.ServiceSettings.EnableCommands:
            for c in await self.core.store.commands.list_for_team(team_id):
                if c.auto_complete and c.trigger not in seen:
                    seen.add(c.trigger)
                    out.append(c.sanitized())
        for c in self.plugin_hooks.team_commands(team_id):
            if c.auto_complete and c.trigger not in seen:
                seen.add(c.trigger)
                out.append(c)
        t = await self.translator(ctx)
        for b in BUILT_INS.values():
            if b.trigger not in seen:
                seen.add(b.trigger)
                out.append(b.command(t))
        return out

    async def suggestions(self, ctx: Ctx, team_id: str, user_input: str) -> list[dict[str, str]]:
        """Mattermost's AutocompleteSuggestion list (keys as Go prints them: Complete, Suggestion, …)."""
        if not user_input:
            raise invalid_param("listCommandAutocompleteSuggestions", "userInput")
        text = user_input.removeprefix("/").lower()
        if " " in text:  # the first argument of a plugin command that listed its choices
            trigger, _, arg = text.partition(" ")
            await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, "listCommandAutocompleteSuggestions")
            registered = self.plugin_hooks.command(team_id, trigger)
            if registered is None or " " in arg.strip():
                return []
            return [{"Complete": f"{trigger} {item.name}", "Suggestion": item.name, "Hint": item.hint,
                     "Description": item.description, "IconData": ""}
                    for item in registered.items if item.name.lower().startswith(arg.strip())]
        cmds = sorted(await self.autocomplete(ctx, team_id), key=lambda c: c.trigger.lower())
        return [{"Complete": c.trigger, "Suggestion": "/" + c.trigger, "Hint": c.auto_complete_hint,
                 "Description": c.auto_complete_desc, "IconData": ""}
                for c in cmds if c.trigger.lower().startswith(text)]

    # executing ----------------------------------------------------------------------------------

    async def execute(self, ctx: Ctx, args: CommandArgs) -> CommandResponse:
        where = "executeCommand"
        if len(args.command) <= 1 or not args.command.startswith("/") or not is_valid_id(args.channel_id):
            raise AppError(where, "api.command.execute_command.start.app_error",
                           "No command trigger found.", 400)
        channel = await self.directory.channel(args.channel_id, where)
        if not await self.perms.has_channel(ctx, channel.id, permissions.CREATE_POST, channel.team_id):
            raise permission_denied(where, f"permission={permissions.CREATE_POST}")
        if channel.delete_at:
            raise AppError("createPost", "api.command.execute_command.deleted.error",
                           "Can not run command in deleted channel.", 400)
        if channel.type not in (CHANNEL_DIRECT, CHANNEL_GROUP):
            args.team_id = channel.team_id
        elif not await self.perms.has_team(ctx, args.team_id, permissions.VIEW_TEAM) and not self.perms.has_system(
                ctx, permissions.CREATE_POST):
            raise permission_denied(where, f"permission={permissions.CREATE_POST}")
        space = re.search(r"\s", args.command)
        head, message = (args.command[:space.start()], args.command[space.start() + 1:]) if space else \
            (args.command, "")
        trigger = head.lower()
        if not trigger.startswith("/"):
            raise AppError("command", "api.command.execute_command.format.app_error",
                           "Command trigger is missing the leading slash character.", 400)
        trigger = trigger[1:]
        self._enabled("ExecuteCommand")
        client_trigger_id, args.trigger_id = await self.signing.trigger_id(ctx.user_id)
        if (registered := self.plugin_hooks.command(args.team_id, trigger)) is not None:
            response = await self.plugin_hooks.execute_command(ctx, registered, args)
            response.trigger_id = client_trigger_id
            return await self.handle_response(ctx, registered.command, args, response, built_in=True)
        for cmd in (await self.core.store.commands.list_for_team(args.team_id) if args.team_id else []):
            if cmd.trigger == trigger:
                response = await self._run_custom(ctx, cmd, args, trigger, message)
                response.trigger_id = client_trigger_id
                return await self.handle_response(ctx, cmd, args, response, built_in=False)
        builtin = BUILT_INS.get(trigger)
        if builtin is None:
            shown = trigger if len(trigger) <= 512 else trigger[:512] + "..."
            raise AppError("command", "api.command.execute_command.not_found.app_error",
                           "Command with a trigger of '{Trigger}' not found. To send a message beginning with "
                           '"/", try adding an empty space at the beginning of the message.', 404,
                           params={"Trigger": shown})
        t = await self.translator(ctx)
        call = Call(self.builtins, ctx, args.channel_id, args.team_id, args.root_id, message, self._site_url(), t)
        response = await builtin.handler(call)
        return await self.handle_response(ctx, builtin.command(t), args, response, built_in=True)

    def _site_url(self) -> str:
        return self.core.cfg.ServiceSettings.SiteURL.rstrip("/")

    async def _mentions(self, message: str, team_id: str) -> dict[str, list[str]]:
        names = list(dict.fromkeys(m.lower().rstrip(".-_:") for m in _AT_MENTION.findall(message)))
        params: dict[str, list[str]] = {}
        users = await self.core.store.users.get_many_by_usernames(names) if names else []
        for u in users:
            if await self.perms.team_roles(u.id, team_id):
                params.setdefault("user_mentions", []).append(u.username)
                params.setdefault("user_mentions_ids", []).append(u.id)
        chans = list(dict.fromkeys(_CHANNEL_MENTION.findall(message)))
        found = await self.core.store.channels.get_by_names(team_id, chans) if chans else []
        for ch in found:
            if ch.type == CHANNEL_OPEN and not ch.delete_at:
                params.setdefault("channel_mentions", []).append(ch.name)
                params.setdefault("channel_mentions_ids", []).append(ch.id)
        return params

    async def _run_custom(self, ctx: Ctx, cmd: Command, args: CommandArgs, trigger: str,
                          message: str) -> CommandResponse:
        failed = AppError("command", "api.command.execute_command.failed.app_error",
                          "Command with a trigger of '{Trigger}' failed.", 500,
                          params={"Trigger": trigger})
        team = await self.directory.team(args.team_id)
        channel = await self.directory.channel(args.channel_id)
        user = await self.directory.user(ctx.user_id)
        site = self._site_url()
        if not site:
            raise AppError("tryExecuteCustomCommand", "api.command.execute_command.site_url_required.app_error",
                           "SiteURL must be configured to run custom slash commands.", 400)
        hook = CommandWebhook(id=new_id(), create_at=self.core.now(), command_id=cmd.id, user_id=ctx.user_id,
                              channel_id=args.channel_id, root_id=args.root_id)
        await self.core.store.commands.save_webhook(hook)
        if hook.create_at - self._cleaned_at > COMMAND_WEBHOOK_TTL_MS // 3:
            self._cleaned_at = hook.create_at
            self.integ.spawn(self.cleanup(), "expired response_url hooks")
        params: list[tuple[str, str]] = [
            ("token", cmd.token), ("team_id", cmd.team_id), ("team_domain", team.name),
            ("channel_id", args.channel_id), ("channel_name", channel.name), ("user_id", ctx.user_id),
            ("user_name", user.username), ("command", "/" + trigger), ("text", message),
            ("trigger_id", args.trigger_id), ("root_id", args.root_id),
            ("response_url", f"{site}/hooks/commands/{hook.id}"),
        ]
        for key, values in (await self._mentions(message, team.id)).items():
            params += [(key, v) for v in values]
        form = urlencode(params)
        headers = {"Accept": "application/json", "Authorization": f"Token {cmd.token}"}
        url, body = cmd.url, None
        if cmd.method == COMMAND_METHOD_GET:
            url += ("&" if "?" in url else "?") + form
        else:
            body = form.encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            status, resp_headers, raw = await self.integ.http.request(
                "GET" if cmd.method == COMMAND_METHOD_GET else "POST", url, content=body, headers=headers)
        except (OutboundRefused, httpx.HTTPError) as e:
            failed.detailed_error = str(e) or repr(e)
            raise failed from None
        if status != 200:
            raise AppError("command", "api.command.execute_command.failed_resp.app_error",
                           "Command with a trigger of '{Trigger}' returned response {Status}.", 500,
                           raw.decode("utf-8", "replace"), {"Trigger": trigger, "Status": status})
        try:
            return decode_response(resp_headers.get("content-type", ""), raw)
        except slack.PayloadError as e:
            failed.detailed_error = str(e)
            raise failed from None

    # responses ----------------------------------------------------------------------------------

    async def handle_response(self, ctx: Ctx, cmd: Command, args: CommandArgs, response: CommandResponse,
                              *, built_in: bool) -> CommandResponse:
        failed: AppError | None = None
        for r in [response, *(response.extra_responses or [])]:
            try:
                await self._response_post(ctx, cmd, args, r, built_in)
            except AppError as e:
                failed = e
        if failed is not None:
            trigger = args.command.split(" ")[0][1:].lower() if args.command else cmd.trigger
            raise AppError("command", "api.command.execute_command.create_post_failed.app_error",
                           "Command '{Trigger}' failed to post response. Please contact your System "
                           "Administrator.", 500, failed.message, {"Trigger": trigger})
        return response

    async def _response_post(self, ctx: Ctx, cmd: Command, args: CommandArgs, r: CommandResponse,
                             built_in: bool) -> None:
        s = self.core.cfg.ServiceSettings
        channel_id = args.channel_id
        if r.channel_id:
            if not await self.core.store.channels.is_member(r.channel_id, ctx.user_id):
                raise AppError("HandleCommandResponsePost", "api.command.command_post.forbidden.app_error",
                               "Specified user is not a member of specified channel.", 403)
            channel_id = r.channel_id
        props: dict[str, Any] = dict(r.props or {})
        is_bot = not built_in
        override = ""
        if s.EnablePostUsernameOverride and (cmd.username or r.username):
            override = cmd.username or r.username
            props["override_username"] = override
            is_bot = True
        if s.EnablePostIconOverride and (cmd.icon_url or r.icon_url):
            props["override_icon_url"] = cmd.icon_url or r.icon_url
            is_bot = True
        if is_bot:
            props["from_webhook"] = "true"
        if not s.EnablePostUsernameOverride:
            props.pop("override_username", None)
        if not s.EnablePostIconOverride:
            props.pop("override_icon_url", None)
            props.pop("override_icon_emoji", None)
        text, attachments = r.text, r.attachments
        if not r.skip_slack_parsing:
            text = slack.links_to_markdown(await self.integ.process_slack_text(text))
            if attachments:
                attachments = await self.integ.process_attachments(attachments)
        post_type = r.type
        if post_type.startswith("system_"):
            raise invalid_param("CreateCommandPost", "post.type")
        if attachments is not None:
            slack.map_attachment_text(attachments, slack.links_to_markdown, ("text", "pretext"))
            props["attachments"] = attachments
            post_type = post_type or POST_TYPE_SLACK_ATTACHMENT
        if r.response_type == RESPONSE_TYPE_IN_CHANNEL:
            data = PostCreate(channel_id=channel_id, root_id=args.root_id, message=text, props=props,
                              type=post_type)
            await self.posts.create(ctx, data, from_webhook=is_bot,
                                         sender_name=str(props.get("override_username", "")))
        elif r.response_type in ("", RESPONSE_TYPE_EPHEMERAL) and (text or attachments is not None):
            await self.send_ephemeral(ctx.user_id, channel_id, args.root_id, text, props)

    async def send_ephemeral(self, user_id: str, channel_id: str, root_id: str, message: str,
                       props: dict[str, Any]) -> Post:
        """A post only its user sees (Mattermost's SendEphemeralPost): never stored."""
        now = self.core.now()
        post = Post(id=new_id(), create_at=now, update_at=now, user_id=user_id, channel_id=channel_id,
                    root_id=root_id, message=message, type=POST_TYPE_EPHEMERAL, props=props)
        await self.signing.add_cookies(post)
        body = msgspec.json.encode(post.to_dict()).decode()
        self.core.publish(Event("ephemeral_message", {"post": body},
                                Broadcast(user_id=user_id, channel_id=channel_id)))
        return post

    # response_url ---------------------------------------------------------------------------------

    async def handle_webhook(self, hook_id: str, response: CommandResponse) -> None:
        """``POST /hooks/commands/{id}``: a delayed response, at most 5 within 30 minutes."""
        where = "HandleCommandWebhook"
        missing = AppError(where, "app.command_webhook.get.missing", "Unable to get the webhook.", 404)
        if not is_valid_id(hook_id):
            raise missing
        try:
            hook = await self.core.store.commands.get_webhook(hook_id)
        except NotFound:
            raise missing from None
        if hook.create_at < self.core.now() - COMMAND_WEBHOOK_TTL_MS:
            raise missing
        try:
            cmd = await self.core.store.commands.get(hook.command_id)
        except NotFound:
            raise AppError(where, "web.command_webhook.command.app_error", "Couldn't find the command.",
                           400) from None
        try:
            await self.core.store.commands.try_use_webhook(hook.id, COMMAND_WEBHOOK_USES,
                                                           self.core.now() - COMMAND_WEBHOOK_TTL_MS)
        except InvalidInput:
            raise AppError(where, "app.command_webhook.try_use.invalid", "Invalid webhook.", 400) from None
        user = await self.directory.user(hook.user_id, where)
        ctx = user_ctx(user.id, user.roles, trusted=True)
        args = CommandArgs(channel_id=hook.channel_id, team_id=cmd.team_id, root_id=hook.root_id)
        await self.handle_response(ctx, cmd, args, response, built_in=False)

    async def cleanup(self) -> None:
        await self.core.store.commands.remove_old_webhooks(self.core.now() - COMMAND_WEBHOOK_TTL_MS)
