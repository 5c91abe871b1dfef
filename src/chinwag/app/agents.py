"""The AI agents bridge, as a Mattermost server without its AI plugin answers it.

Mattermost 11's server talks to the "mattermost-ai" server plugin (the Agents plugin) for its AI features:
the agent and LLM service lists, message rewriting (``POST /posts/rewrite``) and channel recaps
(``/recaps``). chinwag never runs that plugin (a Go plugin; chinwag's plugins are its own), so, as
Mattermost without it:

- the bridge is unavailable, for the reason Mattermost's GetAIPluginBridgeStatus gives (no plugin
  environment while plugins are disabled, else the plugin is not active); the agent and service lists are
  empty;
- a rewrite checks its request as Mattermost does, then fails where Mattermost's call to the agent fails
  (500 ``app.post.rewrite.agent_call_failed``);
- recaps are behind the ``EnableAIRecaps`` feature flag, off by default in Mattermost and never on here
  (config validation refuses it), so every recap operation is 501 ``api.recap.disabled.app_error``.
"""

from __future__ import annotations

from typing import NoReturn

import msgspec

from chinwag.app.core import AppCore
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id

#: the Agents plugin's id, as Mattermost's bridge names it
AI_PLUGIN_ID = "mattermost-ai"
#: Mattermost's rewrite actions (model.RewriteAction)
REWRITE_ACTIONS = frozenset({"custom", "shorten", "elaborate", "improve_writing", "fix_spelling", "simplify",
                             "summarize"})


class RewriteRequest(msgspec.Struct, kw_only=True):
    agent_id: str = ""
    message: str = ""
    action: str = ""
    custom_prompt: str = ""
    root_id: str = ""


class AgentsService:
    def __init__(self, core: AppCore) -> None:
        self.core = core

    def bridge_status(self) -> tuple[bool, str]:
        """Mattermost's GetAIPluginBridgeStatus: never available here, with Mattermost's reason id."""
        if not self.core.cfg.PluginSettings.Enable:
            return False, "app.agents.bridge.not_available.plugin_env_not_initialized"
        return False, "app.agents.bridge.not_available.plugin_not_active"

    def agents(self) -> list[dict[str, object]]:
        """GetAgents: what the bridge lists — nothing while it is unavailable."""
        return []

    def llm_services(self) -> list[dict[str, object]]:
        return []

    def rewrite(self, req: RewriteRequest) -> NoReturn:
        """``POST /posts/rewrite`` (Mattermost's rewriteMessage, then App.RewriteMessage): the agent id
        must be an id and a root id, if given, one too; with a message, the action must be one of
        Mattermost's (without one, the custom prompt alone is the instruction, whatever the action). The
        thread context Mattermost gathers for a root id only feeds the prompt and its failure is only
        logged, so nothing of it shows. Then the call to the agent fails: no AI plugin answers it."""
        where = "RewriteMessage"
        if not is_valid_id(req.agent_id):
            raise invalid_param("rewriteMessage", "agent_id")
        if req.root_id and not is_valid_id(req.root_id):
            raise invalid_param("rewriteMessage", "root_id")
        if req.message and req.action not in REWRITE_ACTIONS:
            raise AppError(where, "app.post.rewrite.invalid_action", "Invalid rewrite action.", 400,
                           f"invalid action: {req.action}")
        _, reason = self.bridge_status()
        raise AppError(where, "app.post.rewrite.agent_call_failed", "Failed to call AI agent.", 500,
                       f"the {AI_PLUGIN_ID} plugin is not available: {reason}")

    def require_recaps(self) -> None:
        """Mattermost's requireRecapsEnabled: the EnableAIRecaps feature flag, never on in chinwag."""
        raise AppError("requireRecapsEnabled", "api.recap.disabled.app_error", "This feature is not enabled.", 501)
