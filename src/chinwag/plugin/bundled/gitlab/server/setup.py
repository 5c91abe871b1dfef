"""``/gitlab setup [oauth|webhook|announcement]``: the real plugin's setup wizard, for system admins, as
direct messages from the bot with buttons and dialogs (the buttons' and dialogs' URLs are this plugin's
``/setup/<step>``, which the server hands to ``serve_http`` with the admin's user id):

welcome → register the OAuth application in GitLab (the redirect URI to give it) → a dialog for the
GitLab URL, Application ID and Secret, saved in the plugin's settings → connect your account → create a
webhook (a dialog for the project or group; the hook is made with the admin's GitLab token) → announce it
to the team (a dialog: channel and message, posted as the admin)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from chinwag.plugin import API, HTTPRequest, HTTPResponse, Post

WELCOME_PRETEXT = ":wave: Welcome to your GitLab integration! [Learn more](https://mattermost.gitbook.io/plugin-gitlab/)"
WELCOME = ("Just a few configuration steps to go!\n"
           "- **Step 1:** Register an OAuth application in GitLab and enter OAuth values.\n"
           "- **Step 2:** Connect your GitLab account\n"
           "- **Step 3:** Create a webhook in GitLab")
ANNOUNCEMENT = ("Hi team,\n\nWe've set up the Mattermost Gitlab plugin to enable notifications from Gitlab in "
                "Mattermost. To get started, run the `/gitlab connect` slash command from any channel within "
                "Mattermost to connect that channel with GitLab. See the "
                "[documentation](https://mattermost.gitbook.io/plugin-gitlab/) for details on using the GitLab "
                "plugin.")
WEBHOOK_WARNING = ("The GitLab plugin uses a webhook to connect a GitLab account to Mattermost to listen for "
                   "incoming GitLab events. You can't subscribe a channel to a repository for notifications until "
                   "webhooks are configured.\nRestart setup later by running `/gitlab setup webhook`")
SUCCESS = ("Use `/gitlab subscriptions add` to subscribe any Mattermost channel to your GitLab repository. "
           "[Learn more](https://mattermost.gitbook.io/plugin-gitlab/feature-summary#subscribe-to-unsubscribe-"
           "from-a-repository)")
STEPS = ("", "oauth", "webhook", "announcement")


class SetupWizard:
    """Mixed into the plugin class: uses its ``api``, ``id``, ``bot_id``, settings and webhook command."""

    if TYPE_CHECKING:  # what the plugin class provides
        api: API
        id: str
        bot_id: str

        @property
        def gitlab_url(self) -> str: ...

        def _setting(self, key: str, default: Any = "") -> Any: ...
        def _plugin_url(self) -> str: ...
        async def _connection(self, user_id: str) -> dict[str, Any] | None: ...
        async def _webhook_command(self, conn: dict[str, Any], rest: list[str]) -> str: ...

    async def _is_admin(self, user_id: str) -> bool:
        if not user_id:
            return False
        user = await self.api.get_user(user_id)
        return "system_admin" in user.roles.split()

    def _button(self, name: str, step: str, style: str = "default") -> dict[str, Any]:
        return {"name": name, "style": style, "integration": {"url": f"/plugins/{self.id}/setup/{step}"}}

    async def _step(self, user_id: str, text: str, buttons: list[dict[str, Any]] | None = None,
                    pretext: str = "", title: str = "") -> None:
        attachment: dict[str, Any] = {"text": text}
        if pretext:
            attachment["pretext"] = pretext
        if title:
            attachment["title"] = title
        if buttons:
            attachment["actions"] = buttons
        channel = await self.api.get_direct_channel(user_id, self.bot_id)
        await self.api.create_post(Post(id="", user_id=self.bot_id, channel_id=channel.id, message="",
                                        props={"attachments": [attachment]}))

    async def start_setup(self, user_id: str, step: str) -> str:
        """The command: "" when the wizard started in the DM, else the answer to show."""
        if not await self._is_admin(user_id):
            return "Only System Admins are allowed to set up the plugin."
        if step not in STEPS:
            return f"Unknown subcommand {step}"
        if step == "":
            await self._step(user_id, WELCOME, [self._button("Continue", "oauth", "primary")], WELCOME_PRETEXT)
        elif step == "oauth":
            await self._oauth_info(user_id)
        elif step == "webhook":
            await self._webhook_question(user_id)
        else:
            await self._announcement_question(user_id)
        return ""

    # the steps ------------------------------------------------------------------------------------

    async def _oauth_info(self, user_id: str) -> None:
        text = (f"1. In a browser, go to {self.gitlab_url}/-/profile/applications.\n"
                "2. Set the following values:\n"
                "\t- Name: `Mattermost GitLab Plugin - <your company name>`\n"
                f"\t- Redirect URI: `{self._plugin_url()}/oauth/complete`\n"
                "3. Unselect **Expire access tokens**.\n"
                "4. Select `api` and `read_user` in Scopes.\n"
                "5. Select **Save application**\n")
        pretext = ("##### :white_check_mark: Step 1: Register an OAuth Application in GitLab\n"
                   "You must first register the Mattermost GitLab Plugin as an authorized OAuth app.")
        await self._step(user_id, text, [self._button("Continue", "oauth_dialog", "primary"),
                                         self._button("Cancel setup", "cancel")], pretext)

    async def _connect_step(self, user_id: str) -> None:
        await self._step(user_id, f"Go [here]({self._plugin_url()}/oauth/connect) to connect your account.",
                         [self._button("Continue", "webhook", "primary")],
                         "##### :white_check_mark: Step 2: Connect your GitLab account")

    async def _webhook_question(self, user_id: str) -> None:
        pretext = ("##### :white_check_mark: Step 3: Create a Webhook in GitLab\n"
                   "The final setup step requires a Mattermost System Admin to create a webhook for each GitLab "
                   "group or project to receive notifications for, or want to subscribe to.")
        await self._step(user_id, "Do you want to create a webhook?",
                         [self._button("Yes", "webhook_dialog", "primary"), self._button("No", "webhook_no")],
                         pretext)

    async def _announcement_question(self, user_id: str) -> None:
        await self._step(user_id, "Want to let your team know?",
                         [self._button("Send Message", "announce_dialog", "primary"),
                          self._button("Not now", "done")])

    # buttons and dialogs ------------------------------------------------------------------------------

    async def serve_setup(self, req: HTTPRequest) -> HTTPResponse:
        if req.method != "POST":
            return HTTPResponse(405, b"Method Not Allowed")
        if not await self._is_admin(req.user_id):
            return HTTPResponse(403, b"Only System Admins are allowed to set up the plugin.")
        try:
            body = req.json()
        except ValueError:
            return HTTPResponse(400, b"Invalid request")
        if not isinstance(body, dict):
            return HTTPResponse(400, b"Invalid request")
        step = req.path.removeprefix("/setup/")
        user_id = req.user_id
        if body.get("type") == "dialog_submission":
            if body.get("cancelled"):
                return HTTPResponse(200, b"")
            raw = body.get("submission")
            submission: dict[str, Any] = raw if isinstance(raw, dict) else {}
            errors = await self._submitted(step, user_id, submission)
            return HTTPResponse.json({"errors": errors} if errors else {})
        pressed = await self._pressed(step, user_id, str(body.get("trigger_id", "")))
        if pressed is None:
            return HTTPResponse(404, b"404 page not found")
        return HTTPResponse.json({"update": await self._without_buttons(str(body.get("post_id", "")))})

    async def _without_buttons(self, post_id: str) -> dict[str, Any]:
        """The clicked step, its buttons gone (as the real wizard leaves a finished step)."""
        post = await self.api.get_post(post_id)
        props = dict(post.props or {})
        props["attachments"] = [{k: v for k, v in a.items() if k != "actions"}
                                for a in props.get("attachments") or [] if isinstance(a, dict)]
        return {"message": post.message, "props": props}

    async def _dialog(self, trigger_id: str, step: str, title: str, submit: str,
                      elements: list[dict[str, Any]]) -> None:
        await self.api.open_interactive_dialog({
            "trigger_id": trigger_id, "url": f"/plugins/{self.id}/setup/{step}",
            "dialog": {"callback_id": step, "title": title, "submit_label": submit, "elements": elements}})

    async def _pressed(self, step: str, user_id: str, trigger_id: str) -> bool | None:
        if step == "oauth":
            await self._oauth_info(user_id)
        elif step == "oauth_dialog":
            intro = "Please enter the **GitLab URL**, **Application ID** and **Secret** you copied in a previous step."
            if self._setting("GitlabOAuthClientID") or self._setting("GitlabOAuthClientSecret"):
                intro += "\n\n**Any existing OAuth configuration will be overwritten.**"
            await self.api.open_interactive_dialog({
                "trigger_id": trigger_id, "url": f"/plugins/{self.id}/setup/oauth_submit",
                "dialog": {"callback_id": "oauth", "title": "GitLab OAuth values", "submit_label": "Save",
                           "introduction_text": intro, "elements": [
                               {"display_name": "GitLab URL", "name": "gitlab_url", "type": "text",
                                "subtype": "url", "default": self.gitlab_url},
                               {"display_name": "GitLab OAuth Application ID", "name": "client_id",
                                "type": "text", "placeholder": "Enter GitLab OAuth Application ID"},
                               {"display_name": "GitLab OAuth Secret", "name": "client_secret", "type": "text",
                                "subtype": "password", "placeholder": "Enter GitLab OAuth Secret"}]}})
        elif step == "webhook":
            await self._webhook_question(user_id)
        elif step == "webhook_dialog":
            await self._dialog(trigger_id, "webhook_submit", "Create webhook", "Create", [
                {"display_name": "Gitlab project or group name", "name": "namespace", "type": "text",
                 "placeholder": "Enter GitLab project or group name",
                 "help_text": "Specify the GitLab project or group to connect to Mattermost. For example, "
                              "mattermost/mattermost-server."}])
        elif step == "webhook_no":
            await self._step(user_id, WEBHOOK_WARNING)
            await self._announcement_question(user_id)
        elif step == "announce_dialog":
            await self._dialog(trigger_id, "announce_submit", "Notify your team", "Send message", [
                {"display_name": "To", "name": "channel_id", "type": "select", "data_source": "channels",
                 "placeholder": "Select channel"},
                {"display_name": "Message", "name": "message", "type": "textarea", "default": ANNOUNCEMENT,
                 "help_text": "You can edit this message before sending it."}])
        elif step == "cancel":
            await self._step(user_id, "Setup cancelled. Run `/gitlab setup` to start again.")
        elif step == "done":
            await self._step(user_id, "You can announce the integration later with `/gitlab setup announcement`.")
        else:
            return None
        return True

    async def _submitted(self, step: str, user_id: str, form: dict[str, Any]) -> dict[str, str]:
        """A dialog's submission: its errors by field (none: the next step is posted)."""
        if step == "oauth_submit":
            url = str(form.get("gitlab_url") or "").strip().rstrip("/")
            client_id = str(form.get("client_id") or "").strip()
            secret = str(form.get("client_secret") or "").strip()
            parsed = urlparse(url)
            errors = {}
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                errors["gitlab_url"] = "Please enter a valid URL starting with http:// or https://."
            if not client_id:
                errors["client_id"] = "Please enter the Application ID."
            if not secret:
                errors["client_secret"] = "Please enter the Secret."
            if errors:
                return errors
            settings = dict(self.api.get_plugin_config())
            settings.update(gitlaburl=url, gitlaboauthclientid=client_id, gitlaboauthclientsecret=secret)
            await self.api.save_plugin_config(settings)
            await self._connect_step(user_id)
            return {}
        if step == "webhook_submit":
            namespace = str(form.get("namespace") or "").strip()
            if not namespace:
                return {"namespace": "Please enter a project or group."}
            conn = await self._connection(user_id)
            if conn is None:
                return {"namespace": "Connect your GitLab account first (step 2)."}
            result = await self._webhook_command(conn, ["add", namespace])
            if not result.startswith("Webhook Created"):
                return {"namespace": result}
            await self._step(user_id, SUCCESS,
                             title="Success! :tada: You've successfully set up your Mattermost GitLab integration! ")
            await self._announcement_question(user_id)
            return {}
        if step == "announce_submit":
            channel_id, message = str(form.get("channel_id") or ""), str(form.get("message") or "").strip()
            if not channel_id:
                return {"channel_id": "Please select a channel."}
            if not message:
                return {"message": "Please enter a message."}
            channel = await self.api.get_channel(channel_id)
            if await self.api.get_channel_member(channel_id, user_id) is None:
                return {"channel_id": "You are not a member of that channel."}
            await self.api.create_post(Post(id="", user_id=user_id, channel_id=channel_id, message=message))
            await self._step(user_id, f"Message to ~{channel.name} was sent.")
            return {}
        return {"": "Unknown dialog."}
