"""Mattermost 11's AI operations, answered as a Mattermost server without its AI (Agents) plugin:
``POST /posts/rewrite`` checks its request, then fails where the call to the agent fails; the recaps are
behind the EnableAIRecaps feature flag (off) so each is 501; ``/ai/agents`` and ``/ai/services`` are in
Mattermost's API reference but routed by no Mattermost server (it serves ``/agents`` and ``/llmservices``),
so they are 404 here too. (``/agents``, ``/agents/status``, ``/llmservices``: test_site.py.)"""

from __future__ import annotations

from tests.conftest import World, assert_error

AGENT = "b" * 26


async def test_rewrite_checks_the_request_then_fails_at_the_agent(world: World) -> None:
    bob = await world.user("bob")
    r = await bob.post("/posts/rewrite", {"agent_id": AGENT, "message": "teh cat", "action": "fix_spelling"})
    body = assert_error(r, 500, "app.post.rewrite.agent_call_failed")
    assert body["message"] == "Failed to call AI agent."
    # no message: the custom prompt alone is the instruction, whatever the action
    assert_error(await bob.post("/posts/rewrite", {"agent_id": AGENT, "action": "nonsense", "custom_prompt": "hi"}),
                 500, "app.post.rewrite.agent_call_failed")
    for action in ("custom", "shorten", "elaborate", "improve_writing", "simplify", "summarize"):
        assert_error(await bob.post("/posts/rewrite", {"agent_id": AGENT, "message": "x", "action": action}),
                     500, "app.post.rewrite.agent_call_failed")

    body = assert_error(await bob.post("/posts/rewrite", {"agent_id": AGENT, "message": "x", "action": "louder"}),
                        400, "app.post.rewrite.invalid_action")
    assert body["message"] == "Invalid rewrite action."
    body = assert_error(await bob.post("/posts/rewrite", {"agent_id": "nope", "message": "x", "action": "shorten"}),
                        400, "api.context.invalid_param.app_error")
    assert "agent_id" in body["message"]
    body = assert_error(await bob.post("/posts/rewrite", {"agent_id": AGENT, "message": "x", "action": "shorten",
                                                          "root_id": "bad"}), 400,
                        "api.context.invalid_param.app_error")
    assert "root_id" in body["message"]
    r = await bob.request("POST", "/posts/rewrite", content=b"{not json")
    assert "request_body" in assert_error(r, 400, "api.context.invalid_param.app_error")["message"]
    assert_error(await world.client().post("/posts/rewrite", {"agent_id": AGENT, "message": "x"}), 401,
                 "api.context.session_expired.app_error")


async def test_recaps_are_off(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    recap = "c" * 26
    for method, path, body in (("POST", "/recaps", {"title": "t", "channel_ids": ["x"], "agent_id": AGENT}),
                               ("POST", "/recaps", None), ("GET", "/recaps?page=0&per_page=10", None),
                               ("GET", f"/recaps/{recap}", None), ("DELETE", f"/recaps/{recap}", None),
                               ("POST", f"/recaps/{recap}/read", None), ("POST", f"/recaps/{recap}/regenerate", None)):
        r = await bob.request(method, path, json=body)
        assert assert_error(r, 501, "api.recap.disabled.app_error")["message"] == "This feature is not enabled."
        assert_error(await world.client().request(method, path, json=body), 401,
                     "api.context.session_expired.app_error")
    # the flag cannot be turned on: the recaps need the AI plugin
    r = await admin.put("/config/patch", {"FeatureFlags": {"EnableAIRecaps": True}})
    assert "FeatureFlags.EnableAIRecaps" in assert_error(r, 400, "model.config.is_valid.app_error")["message"]
    assert (await admin.get("/config")).json()["FeatureFlags"]["EnableAIRecaps"] is False


async def test_ai_reference_paths_are_not_routed(world: World) -> None:
    bob = await world.user("bob")
    for path in ("/ai/agents", "/ai/services"):
        assert_error(await bob.get(path), 404, "api.context.404.app_error")
