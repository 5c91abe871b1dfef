"""Mattermost api4 resources, one module each; all register on one Api."""

from chinwag.web.handler import Api

api = Api()


def load_all() -> Api:
    from chinwag.web.api4 import (  # noqa: F401  (modules register their routes on import)
        account,
        admin_tools,
        agents,
        analytics,
        bot,
        channel,
        channel_admin,
        channel_category,
        cluster,
        command,
        config,
        custom_status,
        drafts,
        email,
        emoji,
        enterprise,
        enterprise_groups,
        file,
        icons,
        integration_action,
        job,
        ldap,
        logs,
        lookup,
        notification,
        oauth,
        opengraph,
        plugin,
        post,
        post_reminder,
        preference,
        reaction,
        report,
        role,
        site,
        system,
        system_ops,
        team,
        thread,
        user,
        user_image,
        user_stats,
        user_token,
        webhook,
    )

    return api
