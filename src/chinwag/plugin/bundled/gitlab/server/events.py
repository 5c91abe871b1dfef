"""GitLab webhook events: which subscription feature each one belongs to, and the Markdown post it
becomes. Payloads are GitLab's (``X-Gitlab-Event``: Push Hook, Tag Push Hook, Merge Request Hook,
Issue Hook, Note Hook, Pipeline Hook, Release Hook)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: what ``/gitlab subscriptions add`` subscribes to when no features are given
DEFAULT_FEATURES = "merges,issues,tag"
FEATURES = ("issues", "confidential_issues", "merges", "pushes", "issue_comments", "merge_request_comments",
            "pipeline", "tag", "releases")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.\-]+)")


@dataclass
class Rendered:
    """One event: the project, the feature it needs, the labels it carries, the channel message, and
    GitLab usernames to notify directly (mentioned or assigned) with their message."""

    project: str
    feature: str
    message: str
    labels: list[str] = field(default_factory=list)
    notify: dict[str, str] = field(default_factory=dict)


def _user_link(user: dict[str, Any], base: str) -> str:
    name = user.get("username") or user.get("user_username") or user.get("name") or "someone"
    return f"[{name}]({base.rstrip('/')}/{name})" if base else name


def _quote(text: str, limit: int = 500) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    if len(text) > limit:
        text = text[:limit].rstrip() + "…"
    return "\n" + "\n".join("> " + line for line in text.splitlines())


def mentions(text: str) -> list[str]:
    return list(dict.fromkeys(m.rstrip(".") for m in _MENTION.findall(text or "")))


def render(event: str, p: dict[str, Any], base_url: str) -> Rendered | None:
    """The post for one webhook delivery, or None when the event is not one the plugin posts."""
    project = p.get("project") or {}
    path = str(project.get("path_with_namespace") or "")
    if not path:
        return None
    proj = f"[{path}]({project.get('web_url', '')})"
    user = p.get("user") or {}
    who = _user_link(user, base_url)
    attrs = p.get("object_attributes") or {}
    labels = [str(lb.get("title", "")) for lb in p.get("labels") or [] if isinstance(lb, dict)]

    if event == "Merge Request Hook":
        action = attrs.get("action", "")
        verbs = {"open": "opened", "reopen": "reopened", "close": "closed", "merge": "merged"}
        if action not in verbs:
            return None
        ref = f"[!{attrs.get('iid')} {attrs.get('title', '')}]({attrs.get('url', '')})"
        msg = f"#### {attrs.get('title', '')}\n##### {proj} merge request {ref} {verbs[action]} by {who}"
        if action in ("open", "reopen"):
            msg += f"\n`{attrs.get('source_branch', '')}` → `{attrs.get('target_branch', '')}`"
            msg += _quote(attrs.get("description", ""))
        r = Rendered(path, "merges", msg, labels)
        if action == "open":
            for a in p.get("assignees") or []:
                r.notify[a.get("username", "")] = f"{who} assigned you to merge request {ref} in {proj}"
            for a in p.get("reviewers") or []:
                r.notify[a.get("username", "")] = f"{who} requested your review on merge request {ref} in {proj}"
            for name in mentions(attrs.get("description", "")):
                r.notify.setdefault(name, f"{who} mentioned you in merge request {ref} in {proj}")
        return r

    if event == "Issue Hook":
        action = attrs.get("action", "")
        verbs = {"open": "opened", "reopen": "reopened", "close": "closed"}
        if action not in verbs:
            return None
        ref = f"[#{attrs.get('iid')} {attrs.get('title', '')}]({attrs.get('url', '')})"
        msg = f"#### {attrs.get('title', '')}\n##### {proj} issue {ref} {verbs[action]} by {who}"
        if action in ("open", "reopen"):
            msg += _quote(attrs.get("description", ""))
        feature = "confidential_issues" if attrs.get("confidential") else "issues"
        r = Rendered(path, feature, msg, labels)
        if action == "open":
            for a in p.get("assignees") or []:
                r.notify[a.get("username", "")] = f"{who} assigned you to issue {ref} in {proj}"
            for name in mentions(attrs.get("description", "")):
                r.notify.setdefault(name, f"{who} mentioned you in issue {ref} in {proj}")
        return r

    if event == "Note Hook":
        kind = attrs.get("noteable_type", "")
        if kind == "MergeRequest":
            target = p.get("merge_request") or {}
            ref = f"[!{target.get('iid')} {target.get('title', '')}]({attrs.get('url', '')})"
            feature, what = "merge_request_comments", "merge request"
        elif kind == "Issue":
            target = p.get("issue") or {}
            ref = f"[#{target.get('iid')} {target.get('title', '')}]({attrs.get('url', '')})"
            feature, what = "issue_comments", "issue"
        else:
            return None
        note = str(attrs.get("note", ""))
        msg = f"##### {proj} new comment by {who} on {what} {ref}" + _quote(note)
        r = Rendered(path, feature, msg, [str(lb.get("title", "")) for lb in target.get("labels") or []
                                          if isinstance(lb, dict)])
        for name in mentions(note):
            r.notify[name] = f"{who} mentioned you in a comment on {what} {ref} in {proj}" + _quote(note, 200)
        return r

    if event == "Push Hook":
        commits = p.get("commits") or []
        count = int(p.get("total_commits_count") or len(commits))
        if not count:
            return None
        branch = str(p.get("ref", "")).removeprefix("refs/heads/")
        pusher = _user_link({"username": p.get("user_username") or p.get("user_name")}, base_url)
        noun = "commit" if count == 1 else "commits"
        lines = [f"{pusher} pushed [{count} new {noun}]({project.get('web_url', '')}/-/compare/"
                 f"{str(p.get('before', ''))[:8]}...{str(p.get('after', ''))[:8]}) to {proj}:`{branch}`"]
        for c in commits[:10]:
            title = c.get("title") or str(c.get("message", "")).splitlines()[0:1] or [""]
            title = title if isinstance(title, str) else title[0]
            lines.append(f"[`{str(c.get('id', ''))[:6]}`]({c.get('url', '')}) {title} - "
                         f"{(c.get('author') or {}).get('name', '')}")
        return Rendered(path, "pushes", "\n".join(lines))

    if event == "Tag Push Hook":
        tag = str(p.get("ref", "")).removeprefix("refs/tags/")
        if not p.get("after") or set(str(p.get("after"))) == {"0"}:
            return None  # a deleted tag
        pusher = _user_link({"username": p.get("user_username") or p.get("user_name")}, base_url)
        return Rendered(path, "tag", f"#### New tag [{tag}]({project.get('web_url', '')}/-/tags/{tag}) "
                                     f"in {proj} by {pusher}" + _quote(p.get("message") or ""))

    if event == "Pipeline Hook":
        status = attrs.get("status", "")
        if status not in ("success", "failed", "canceled"):
            return None
        url = f"{project.get('web_url', '')}/-/pipelines/{attrs.get('id')}"
        icon = {"success": ":white_check_mark:", "failed": ":x:", "canceled": ":no_entry_sign:"}[status]
        word = {"success": "succeeded", "failed": "failed", "canceled": "was canceled"}[status]
        commit = p.get("commit") or {}
        msg = (f"{icon} [Pipeline #{attrs.get('id')}]({url}) {word} for {proj}:`{attrs.get('ref', '')}` "
               f"triggered by {who}")
        if commit.get("title") or commit.get("message"):
            msg += f"\n[`{str(commit.get('id', ''))[:6]}`]({commit.get('url', '')}) " + \
                str(commit.get("title") or str(commit.get("message")).splitlines()[0])
        r = Rendered(path, "pipeline", msg)
        if status == "failed" and user.get("username"):
            r.notify[str(user["username"])] = f"{icon} Your [pipeline #{attrs.get('id')}]({url}) failed in {proj}"
        return r

    if event == "Release Hook":
        if p.get("action") not in ("create", None):
            return None
        return Rendered(path, "releases", f"#### New release [{p.get('name') or p.get('tag', '')}]"
                                          f"({p.get('url', '')}) in {proj}" + _quote(p.get("description") or ""))
    return None


def wanted(features: str, r: Rendered) -> bool:
    """Mattermost's GitLab plugin rules: the feature must be listed; ``label:"x"`` limits issues and
    merge requests (and their comments) to those carrying label x."""
    parts = [f.strip() for f in features.split(",") if f.strip()]
    if r.feature not in parts:
        return False
    labels = [f.split(":", 1)[1].strip().strip('"') for f in parts if f.startswith("label:")]
    if labels and r.feature in ("issues", "confidential_issues", "merges", "issue_comments",
                                "merge_request_comments"):
        return any(lb in r.labels for lb in labels)
    return True
