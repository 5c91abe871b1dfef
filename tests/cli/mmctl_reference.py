"""mmctl's command reference as data: every leaf command of mmctl 7.10 / 8.0 (the standalone
github.com/mattermost/mmctl at its last commit, 0445af9, 141 commands) with its flags as
(name, shorthand, type, default) — the default as mmctl's docs print it, None when they print none.
Taken from the command reference pages (docs/mmctl_*.rst); only names, types and defaults."""

from __future__ import annotations

# mmctl's persistent flags, accepted by every command (hidden ones included)
GLOBAL_FLAGS = ["--config", "--disable-pager", "--format", "--insecure-sha1-intermediate", "--insecure-tls-version",
                "--json", "--local", "--quiet", "--strict", "--suppress-warnings"]

# Enterprise-only (AD/LDAP groups): chinwag has them, and answers them as an unlicensed Mattermost server does
ENTERPRISE_ONLY = ["group channel disable", "group channel enable", "group channel list", "group channel status",
                   "group list-ldap", "group team disable", "group team enable", "group team list",
                   "group team status", "group user restore"]

MMCTL_COMMANDS: dict[str, list[tuple[str, str, str, str | None]]] = {
    'auth clean': [
    ],
    'auth current': [
    ],
    'auth delete': [
    ],
    'auth list': [
    ],
    'auth login': [
        ('access-token-file', 't', 'string', None),
        ('mfa-token', 'm', 'string', None),
        ('name', 'n', 'string', None),
        ('no-activate', '', 'bool', None),
        ('password-file', 'f', 'string', None),
        ('username', 'u', 'string', None),
    ],
    'auth renew': [
        ('access-token-file', 't', 'string', None),
        ('mfa-token', 'm', 'string', None),
        ('password-file', 'f', 'string', None),
    ],
    'auth set': [
    ],
    'bot assign': [
    ],
    'bot create': [
        ('description', '', 'string', None),
        ('display-name', '', 'string', None),
        ('with-token', '', 'bool', None),
    ],
    'bot disable': [
    ],
    'bot enable': [
    ],
    'bot list': [
        ('all', '', 'bool', None),
        ('orphaned', '', 'bool', None),
    ],
    'bot update': [
        ('description', '', 'string', None),
        ('display-name', '', 'string', None),
        ('username', '', 'string', None),
    ],
    'channel archive': [
    ],
    'channel create': [
        ('display-name', '', 'string', None),
        ('header', '', 'string', None),
        ('name', '', 'string', None),
        ('private', '', 'bool', None),
        ('purpose', '', 'string', None),
        ('team', '', 'string', None),
    ],
    'channel delete': [
        ('confirm', '', 'bool', None),
    ],
    'channel list': [
    ],
    'channel modify': [
        ('private', '', 'bool', None),
        ('public', '', 'bool', None),
    ],
    'channel move': [
        ('force', '', 'bool', None),
    ],
    'channel rename': [
        ('display-name', '', 'string', None),
        ('name', '', 'string', None),
    ],
    'channel search': [
        ('team', '', 'string', None),
    ],
    'channel unarchive': [
    ],
    'channel users add': [
    ],
    'channel users remove': [
        ('all-users', '', 'bool', None),
    ],
    'command archive': [
    ],
    'command create': [
        ('autocomplete', '', 'bool', None),
        ('autocompleteDesc', '', 'string', None),
        ('autocompleteHint', '', 'string', None),
        ('creator', '', 'string', None),
        ('description', '', 'string', None),
        ('icon', '', 'string', None),
        ('post', '', 'bool', None),
        ('response-username', '', 'string', None),
        ('title', '', 'string', None),
        ('trigger-word', '', 'string', None),
        ('url', '', 'string', None),
    ],
    'command list': [
    ],
    'command modify': [
        ('autocomplete', '', 'bool', None),
        ('autocompleteDesc', '', 'string', None),
        ('autocompleteHint', '', 'string', None),
        ('creator', '', 'string', None),
        ('description', '', 'string', None),
        ('icon', '', 'string', None),
        ('post', '', 'bool', None),
        ('response-username', '', 'string', None),
        ('title', '', 'string', None),
        ('trigger-word', '', 'string', None),
        ('url', '', 'string', None),
    ],
    'command move': [
    ],
    'command show': [
    ],
    'completion bash': [
    ],
    'completion zsh': [
    ],
    'config edit': [
    ],
    'config get': [
    ],
    'config migrate': [
    ],
    'config patch': [
    ],
    'config reload': [
    ],
    'config reset': [
        ('confirm', '', 'bool', None),
    ],
    'config set': [
    ],
    'config show': [
    ],
    'config subpath': [
        ('assets-dir', 'a', 'string', None),
        ('path', 'p', 'string', None),
    ],
    'docs': [
        ('directory', 'd', 'string', '"docs"'),
    ],
    'export create': [
        ('no-attachments', '', 'bool', None),
    ],
    'export delete': [
    ],
    'export download': [
        ('num-retries', '', 'int', '5'),
    ],
    'export job cancel': [
    ],
    'export job list': [
        ('all', '', 'bool', None),
        ('page', '', 'int', None),
        ('per-page', '', 'int', '200'),
    ],
    'export job show': [
    ],
    'export list': [
    ],
    'extract job list': [
        ('all', '', 'bool', None),
        ('page', '', 'int', None),
        ('per-page', '', 'int', '200'),
    ],
    'extract job show': [
    ],
    'extract run': [
        ('from', '', 'int', None),
        ('to', '', 'int', None),
    ],
    'group channel disable': [
    ],
    'group channel enable': [
    ],
    'group channel list': [
    ],
    'group channel status': [
    ],
    'group list-ldap': [
    ],
    'group team disable': [
    ],
    'group team enable': [
    ],
    'group team list': [
    ],
    'group team status': [
    ],
    'group user restore': [
    ],
    'import job list': [
        ('all', '', 'bool', None),
        ('page', '', 'int', None),
        ('per-page', '', 'int', '200'),
    ],
    'import job show': [
    ],
    'import list available': [
    ],
    'import list incomplete': [
    ],
    'import process': [
    ],
    'import upload': [
        ('resume', '', 'bool', None),
        ('upload', '', 'string', None),
    ],
    'import validate': [
        ('check-missing-teams', '', 'bool', None),
        ('check-server-duplicates', '', 'bool', 'true'),
        ('ignore-attachments', '', 'bool', None),
        ('team', '', 'stringArray', None),
    ],
    'integrity': [
        ('confirm', '', 'bool', None),
        ('verbose', 'v', 'bool', None),
    ],
    'ldap idmigrate': [
    ],
    'ldap sync': [
        ('include-removed-members', '', 'bool', None),
    ],
    'license remove': [
    ],
    'license upload': [
    ],
    'license upload-string': [
    ],
    'logs': [
        ('logrus', 'l', 'bool', None),
        ('number', 'n', 'int', '200'),
    ],
    'permissions add': [
    ],
    'permissions remove': [
    ],
    'permissions reset': [
    ],
    'permissions role assign': [
    ],
    'permissions role show': [
    ],
    'permissions role unassign': [
    ],
    'plugin add': [
        ('force', 'f', 'bool', None),
    ],
    'plugin delete': [
    ],
    'plugin disable': [
    ],
    'plugin enable': [
    ],
    'plugin install-url': [
        ('force', 'f', 'bool', None),
    ],
    'plugin list': [
    ],
    'plugin marketplace install': [
    ],
    'plugin marketplace list': [
        ('all', '', 'bool', None),
        ('filter', '', 'string', None),
        ('local-only', '', 'bool', None),
        ('page', '', 'int', None),
        ('per-page', '', 'int', '200'),
    ],
    'post create': [
        ('message', 'm', 'string', None),
        ('reply-to', 'r', 'string', None),
    ],
    'post list': [
        ('follow', 'f', 'bool', None),
        ('number', 'n', 'int', '20'),
        ('show-ids', 'i', 'bool', None),
        ('since', 's', 'string', None),
    ],
    'roles member': [
    ],
    'roles system-admin': [
    ],
    'saml auth-data-reset': [
        ('dry-run', '', 'bool', None),
        ('include-deleted', '', 'bool', None),
        ('users', '', 'strings', None),
        ('yes', 'y', 'bool', None),
    ],
    'sampledata': [
        ('bulk', 'b', 'string', None),
        ('channel-memberships', '', 'int', '5'),
        ('channels-per-team', '', 'int', '10'),
        ('deactivated-users', '', 'int', None),
        ('direct-channels', '', 'int', '30'),
        ('group-channels', '', 'int', '15'),
        ('guests', 'g', 'int', '1'),
        ('posts-per-channel', '', 'int', '100'),
        ('posts-per-direct-channel', '', 'int', '15'),
        ('posts-per-group-channel', '', 'int', '30'),
        ('profile-images', '', 'string', None),
        ('seed', 's', 'int', '1'),
        ('team-memberships', '', 'int', '2'),
        ('teams', 't', 'int', '2'),
        ('users', 'u', 'int', '15'),
    ],
    'system clearbusy': [
    ],
    'system getbusy': [
    ],
    'system setbusy': [
        ('seconds', 's', 'uint', '3600'),
    ],
    'system status': [
    ],
    'system version': [
    ],
    'team archive': [
        ('confirm', '', 'bool', None),
    ],
    'team create': [
        ('display-name', '', 'string', None),
        ('email', '', 'string', None),
        ('name', '', 'string', None),
        ('private', '', 'bool', None),
    ],
    'team delete': [
        ('confirm', '', 'bool', None),
    ],
    'team list': [
    ],
    'team modify': [
        ('private', '', 'bool', None),
        ('public', '', 'bool', None),
    ],
    'team rename': [
        ('display-name', '', 'string', None),
    ],
    'team restore': [
    ],
    'team search': [
    ],
    'team users add': [
    ],
    'team users remove': [
    ],
    'token generate': [
    ],
    'token list': [
        ('active', '', 'bool', 'true'),
        ('all', '', 'bool', None),
        ('inactive', '', 'bool', None),
        ('page', '', 'int', None),
        ('per-page', '', 'int', '200'),
    ],
    'token revoke': [
    ],
    'user activate': [
    ],
    'user change-password': [
        ('current', 'c', 'string', None),
        ('hashed', '', 'bool', None),
        ('password', 'p', 'string', None),
    ],
    'user convert': [
        ('bot', '', 'bool', None),
        ('email', '', 'string', None),
        ('firstname', '', 'string', None),
        ('lastname', '', 'string', None),
        ('locale', '', 'string', None),
        ('nickname', '', 'string', None),
        ('password', '', 'string', None),
        ('system-admin', '', 'bool', None),
        ('user', '', 'bool', None),
        ('username', '', 'string', None),
    ],
    'user create': [
        ('disable-welcome-email', '', 'bool', None),
        ('email', '', 'string', None),
        ('email-verified', '', 'bool', None),
        ('firstname', '', 'string', None),
        ('guest', '', 'bool', None),
        ('lastname', '', 'string', None),
        ('locale', '', 'string', None),
        ('nickname', '', 'string', None),
        ('password', '', 'string', None),
        ('system-admin', '', 'bool', None),
        ('username', '', 'string', None),
    ],
    'user deactivate': [
    ],
    'user delete': [
        ('confirm', '', 'bool', None),
    ],
    'user deleteall': [
        ('confirm', '', 'bool', None),
    ],
    'user demote': [
    ],
    'user email': [
    ],
    'user invite': [
    ],
    'user list': [
        ('all', '', 'bool', None),
        ('page', '', 'int', None),
        ('per-page', '', 'int', '200'),
        ('team', '', 'string', None),
    ],
    'user migrate-auth': [
        ('auto', '', 'bool', None),
        ('confirm', '', 'bool', None),
        ('force', '', 'bool', None),
    ],
    'user promote': [
    ],
    'user reset-password': [
    ],
    'user resetmfa': [
    ],
    'user search': [
    ],
    'user username': [
    ],
    'user verify': [
    ],
    'version': [
    ],
    'webhook create-incoming': [
        ('channel', '', 'string', None),
        ('description', '', 'string', None),
        ('display-name', '', 'string', None),
        ('icon', '', 'string', None),
        ('lock-to-channel', '', 'bool', None),
        ('user', '', 'string', None),
    ],
    'webhook create-outgoing': [
        ('channel', '', 'string', None),
        ('content-type', '', 'string', None),
        ('description', '', 'string', None),
        ('display-name', '', 'string', None),
        ('icon', '', 'string', None),
        ('team', '', 'string', None),
        ('trigger-when', '', 'string', '"exact"'),
        ('trigger-word', '', 'stringArray', None),
        ('url', '', 'stringArray', None),
        ('user', '', 'string', None),
    ],
    'webhook delete': [
    ],
    'webhook list': [
    ],
    'webhook modify-incoming': [
        ('channel', '', 'string', None),
        ('description', '', 'string', None),
        ('display-name', '', 'string', None),
        ('icon', '', 'string', None),
        ('lock-to-channel', '', 'bool', None),
    ],
    'webhook modify-outgoing': [
        ('channel', '', 'string', None),
        ('content-type', '', 'string', None),
        ('description', '', 'string', None),
        ('display-name', '', 'string', None),
        ('icon', '', 'string', None),
        ('trigger-when', '', 'string', None),
        ('trigger-word', '', 'stringArray', None),
        ('url', '', 'stringArray', None),
    ],
    'webhook show': [
    ],
    'websocket': [
    ],
}

# What chinwag does not have yet (empty: every command and flag is there)
KNOWN_GAPS: set[str] = set()
