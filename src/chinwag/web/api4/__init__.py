"""Mattermost api4 resources, one module each; all register on one Api."""

from chinwag.web.handler import Api

api = Api()


def load_all() -> Api:
    from chinwag.web.api4 import (  # noqa: F401  (modules register their routes on import)
        bot,
        channel,
        command,
        config,
        emoji,
        file,
        job,
        logs,
        notification,
        post,
        preference,
        reaction,
        role,
        system,
        team,
        thread,
        user,
        user_token,
        webhook,
    )

    return api
