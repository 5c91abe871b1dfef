"""``/gitlab webhook add|list``: the trigger options the command takes and how a GitLab project or group
hook is shown, as the real plugin's ``parseTriggers`` and ``WebhookInfo.String``."""

from __future__ import annotations

from typing import Any

#: option name (as typed, case-insensitive) → GitLab's hook field
TRIGGERS = {
    "pushevents": "push_events",
    "tagpushevents": "tag_push_events",
    "issuesevents": "issues_events",
    "confidentialissuesevents": "confidential_issues_events",
    "comments": "note_events",
    "confidentialcomments": "confidential_note_events",
    "mergerequestsevents": "merge_requests_events",
    "jobevents": "job_events",
    "pipelineevents": "pipeline_events",
    "wikipageevents": "wiki_page_events",
    "deploymentevents": "deployment_events",
    "releaseevents": "releases_events",
}

#: the order and wording of the triggers in a hook's description
_SHOWN = (("push_events", "Push Events"), ("tag_push_events", "Tag Push Events"), ("note_events", "Comments"),
          ("confidential_note_events", "Confidential Comments"), ("issues_events", "Issues Events"),
          ("confidential_issues_events", "Confidential Issues Events"),
          ("merge_requests_events", "Merge Request Events"), ("job_events", "Job Events"),
          ("pipeline_events", "Pipeline Events"), ("wiki_page_events", "Wiki Page Events"),
          ("releases_events", "Release Events"), ("deployment_events", "Deployment Events"))


def parse_triggers(csv: str) -> dict[str, Any]:
    """The hook options for ``csv``: ``*`` is every trigger with SSL verification, ``*noSSL`` every
    trigger without; otherwise the named triggers, plus ``SSLverification``. Unknown names are ignored,
    as the real plugin does."""
    every = csv == "*" or csv.lower() == "*nossl"
    options: dict[str, Any] = {field: every for field in TRIGGERS.values()}
    options["enable_ssl_verification"] = csv == "*"
    for name in csv.split(","):
        key = name.strip().lower()
        if key == "sslverification":
            options["enable_ssl_verification"] = True
        elif key in TRIGGERS:
            options[TRIGGERS[key]] = True
    return options


def describe(hook: dict[str, Any]) -> str:
    text = "SSL Verification Enabled\n" if hook.get("enable_ssl_verification") else ""
    text += "Triggers:\n"
    for field, label in _SHOWN:
        if hook.get(field):
            text += f"* {label}\n"
    return f"\n\n`{hook.get('url', '')}`\n" + text
