// Every page of the System Console, as data: the settings pages are rendered from this schema
// (SettingsPage.tsx), never written by hand. A setting's `key` is its config path; its default is
// chinwag's (src/chinwag/config/schema.py — tests/api/test_console_schema.py checks they agree).
// Paths are Mattermost's (/admin_console/<section>/<page>). A page's `resource` is its System Console
// permission resource (sysconsole_read_<resource> shows it, sysconsole_write_<resource> edits it; no
// resource: system admins only); the server's table (src/chinwag/config/access.py) must give every
// setting on the page that resource — tests/unit/test_console_schema.py checks it.
import {defineMessage} from 'react-intl';

import type {Option, Page, Section, Setting} from './types';

function s(key: string, type: Setting['type'], def: Setting['default'], rest: Omit<Setting, 'key' | 'type' | 'default'>): Setting {
    return {key, type, default: def, ...rest};
}

const restartNote = defineMessage({id: 'admin.page.restartNote', defaultMessage: 'Changes on this page take effect when the server restarts.'});

const securityOptions: Option[] = [
    {value: '', label: defineMessage({id: 'admin.option.security.none', defaultMessage: 'None'})},
    {value: 'TLS', label: defineMessage({id: 'admin.option.security.tls', defaultMessage: 'TLS'})},
    {value: 'STARTTLS', label: defineMessage({id: 'admin.option.security.starttls', defaultMessage: 'STARTTLS'})},
];

const levelOptions: Option[] = [
    {value: 'DEBUG', label: defineMessage({id: 'admin.option.level.debug', defaultMessage: 'DEBUG'})},
    {value: 'INFO', label: defineMessage({id: 'admin.option.level.info', defaultMessage: 'INFO'})},
    {value: 'WARN', label: defineMessage({id: 'admin.option.level.warn', defaultMessage: 'WARN'})},
    {value: 'ERROR', label: defineMessage({id: 'admin.option.level.error', defaultMessage: 'ERROR'})},
];

export const SECTIONS: Section[] = [
    {
        id: 'user_management',
        title: defineMessage({id: 'admin.section.userManagement', defaultMessage: 'User Management'}),
        pages: [
            {kind: 'custom', id: 'users', resource: 'user_management_users', view: 'users', title: defineMessage({id: 'admin.page.users', defaultMessage: 'Users'})},
            {kind: 'custom', id: 'teams', resource: 'user_management_teams', view: 'teams', title: defineMessage({id: 'admin.page.teams', defaultMessage: 'Teams'})},
            {kind: 'custom', id: 'channels', resource: 'user_management_channels', view: 'channels', title: defineMessage({id: 'admin.page.channels', defaultMessage: 'Channels'})},
        ],
    },
    {
        id: 'reporting',
        title: defineMessage({id: 'admin.section.reporting', defaultMessage: 'Reporting'}),
        pages: [
            {kind: 'custom', id: 'system_analytics', resource: 'reporting_site_statistics', view: 'system_analytics', title: defineMessage({id: 'admin.page.systemAnalytics', defaultMessage: 'Site Statistics'})},
            {kind: 'custom', id: 'server_logs', resource: 'reporting_server_logs', view: 'server_logs', title: defineMessage({id: 'admin.page.serverLogs', defaultMessage: 'Server Logs'})},
            {kind: 'custom', id: 'jobs', view: 'jobs', title: defineMessage({id: 'admin.page.jobs', defaultMessage: 'Import and Export'})},
        ],
    },
    {
        id: 'environment',
        title: defineMessage({id: 'admin.section.environment', defaultMessage: 'Environment'}),
        pages: [
            {
                kind: 'settings', id: 'web_server', resource: 'environment_web_server',
                title: defineMessage({id: 'admin.page.webServer', defaultMessage: 'Web Server'}),
                settings: [
                    s('ServiceSettings.SiteURL', 'text', "", {
                        label: defineMessage({id: 'admin.ServiceSettings.SiteURL', defaultMessage: 'Site URL'}),
                        help: defineMessage({id: 'admin.ServiceSettings.SiteURL.help', defaultMessage: 'The URL people use to reach this server, e.g. https://chat.example.com. Links in emails, push notifications and single sign-on redirects are built from it.'}),
                        validate: {url: true}, placeholder: 'https://chat.example.com',
                    }),
                    s('ServiceSettings.ListenAddress', 'text', ":8065", {
                        label: defineMessage({id: 'admin.ServiceSettings.ListenAddress', defaultMessage: 'Listen Address'}),
                        help: defineMessage({id: 'admin.ServiceSettings.ListenAddress.help', defaultMessage: 'The address and port the server binds to, as host:port or :port.'}),
                        validate: {required: true, hostPort: true}, restart: true,
                    }),
                    s('ServiceSettings.ConnectionSecurity', 'select', "", {
                        label: defineMessage({id: 'admin.ServiceSettings.ConnectionSecurity', defaultMessage: 'Connection Security'}),
                        help: defineMessage({id: 'admin.ServiceSettings.ConnectionSecurity.help', defaultMessage: 'TLS makes the server itself serve HTTPS with the certificate and key below. Leave it at None behind a proxy that terminates TLS.'}),
                        options: securityOptions.slice(0, 2), restart: true,
                    }),
                    s('ServiceSettings.TLSCertFile', 'text', "", {
                        label: defineMessage({id: 'admin.ServiceSettings.TLSCertFile', defaultMessage: 'TLS Certificate File'}),
                        help: defineMessage({id: 'admin.ServiceSettings.TLSCertFile.help', defaultMessage: 'Path of the certificate file (PEM) used when Connection Security is TLS.'}),
                        restart: true, dependsOn: 'ServiceSettings.ConnectionSecurity', dependsOnValue: 'TLS',
                    }),
                    s('ServiceSettings.TLSKeyFile', 'text', "", {
                        label: defineMessage({id: 'admin.ServiceSettings.TLSKeyFile', defaultMessage: 'TLS Key File'}),
                        help: defineMessage({id: 'admin.ServiceSettings.TLSKeyFile.help', defaultMessage: 'Path of the private key file (PEM) used when Connection Security is TLS.'}),
                        restart: true, dependsOn: 'ServiceSettings.ConnectionSecurity', dependsOnValue: 'TLS',
                    }),
                    s('ServiceSettings.TrustedProxyIPHeader', 'list', [], {
                        label: defineMessage({id: 'admin.ServiceSettings.TrustedProxyIPHeader', defaultMessage: 'Trusted Proxy IP Headers'}),
                        help: defineMessage({id: 'admin.ServiceSettings.TrustedProxyIPHeader.help', defaultMessage: 'Headers a reverse proxy sets to the client address (X-Forwarded-For, X-Real-IP), separated by spaces. Leave empty when clients connect directly.'}),
                    }),
                    s('ServiceSettings.WebserverMode', 'select', "gzip", {
                        label: defineMessage({id: 'admin.ServiceSettings.WebserverMode', defaultMessage: 'Webserver Mode'}),
                        help: defineMessage({id: 'admin.ServiceSettings.WebserverMode.help', defaultMessage: 'gzip compresses the web app and API responses.'}),
                        options: [
                            {value: 'gzip', label: defineMessage({id: 'admin.option.webserver.gzip', defaultMessage: 'gzip'})},
                            {value: 'uncompressed', label: defineMessage({id: 'admin.option.webserver.uncompressed', defaultMessage: 'Uncompressed'})},
                            {value: 'disabled', label: defineMessage({id: 'admin.option.webserver.disabled', defaultMessage: 'Disabled'})},
                        ],
                    }),
                    s('ServiceSettings.ReadTimeout', 'number', 300, {
                        label: defineMessage({id: 'admin.ServiceSettings.ReadTimeout', defaultMessage: 'Read Timeout (seconds)'}),
                        help: defineMessage({id: 'admin.ServiceSettings.ReadTimeout.help', defaultMessage: 'How long the server waits for a request to be read.'}),
                        validate: {min: 1}, restart: true,
                    }),
                    s('ServiceSettings.WriteTimeout', 'number', 300, {
                        label: defineMessage({id: 'admin.ServiceSettings.WriteTimeout', defaultMessage: 'Write Timeout (seconds)'}),
                        help: defineMessage({id: 'admin.ServiceSettings.WriteTimeout.help', defaultMessage: 'How long the server may take to write a response.'}),
                        validate: {min: 1}, restart: true,
                    }),
                    s('ServiceSettings.IdleTimeout', 'number', 60, {
                        label: defineMessage({id: 'admin.ServiceSettings.IdleTimeout', defaultMessage: 'Idle Timeout (seconds)'}),
                        help: defineMessage({id: 'admin.ServiceSettings.IdleTimeout.help', defaultMessage: 'How long an idle keep-alive connection stays open.'}),
                        validate: {min: 1}, restart: true,
                    }),
                    s('ServiceSettings.WebsocketURL', 'text', "", {
                        label: defineMessage({id: 'admin.ServiceSettings.WebsocketURL', defaultMessage: 'WebSocket URL'}),
                        help: defineMessage({id: 'admin.ServiceSettings.WebsocketURL.help', defaultMessage: 'Where clients open their WebSocket when it is not the Site URL. Usually empty.'}),
                    }),
                ],
            },
            {
                kind: 'settings', id: 'database', resource: 'environment_database',
                title: defineMessage({id: 'admin.page.database', defaultMessage: 'Database'}),
                intro: restartNote,
                settings: [
                    s('SqlSettings.DriverName', 'select', "sqlite", {
                        label: defineMessage({id: 'admin.SqlSettings.DriverName', defaultMessage: 'Driver Name'}),
                        help: defineMessage({id: 'admin.SqlSettings.DriverName.help', defaultMessage: 'sqlite keeps everything in one file on this machine; postgres uses a PostgreSQL server (needed for a cluster).'}),
                        options: [
                            {value: 'sqlite', label: defineMessage({id: 'admin.option.driver.sqlite', defaultMessage: 'SQLite'})},
                            {value: 'postgres', label: defineMessage({id: 'admin.option.driver.postgres', defaultMessage: 'PostgreSQL'})},
                        ],
                        restart: true,
                    }),
                    s('SqlSettings.DataSource', 'secret', "./data/chinwag.db", {
                        label: defineMessage({id: 'admin.SqlSettings.DataSource', defaultMessage: 'Data Source'}),
                        help: defineMessage({id: 'admin.SqlSettings.DataSource.help', defaultMessage: 'The SQLite file path, or postgres://user:password@host:5432/database. Kept secret: type a new value to replace it.'}),
                        validate: {required: true}, restart: true,
                    }),
                    s('SqlSettings.MaxIdleConns', 'number', 20, {
                        label: defineMessage({id: 'admin.SqlSettings.MaxIdleConns', defaultMessage: 'Maximum Idle Connections'}),
                        help: defineMessage({id: 'admin.SqlSettings.MaxIdleConns.help', defaultMessage: 'Connections kept open while idle.'}),
                        validate: {min: 0}, restart: true,
                    }),
                    s('SqlSettings.MaxOpenConns', 'number', 100, {
                        label: defineMessage({id: 'admin.SqlSettings.MaxOpenConns', defaultMessage: 'Maximum Open Connections'}),
                        help: defineMessage({id: 'admin.SqlSettings.MaxOpenConns.help', defaultMessage: 'The most connections the server opens to the database.'}),
                        validate: {min: 1}, restart: true,
                    }),
                    s('SqlSettings.QueryTimeout', 'number', 30, {
                        label: defineMessage({id: 'admin.SqlSettings.QueryTimeout', defaultMessage: 'Query Timeout (seconds)'}),
                        help: defineMessage({id: 'admin.SqlSettings.QueryTimeout.help', defaultMessage: 'How long a query may run before it is cancelled.'}),
                        validate: {min: 1}, restart: true,
                    }),
                    s('SqlSettings.ConnMaxLifetimeMilliseconds', 'number', 3600000, {
                        label: defineMessage({id: 'admin.SqlSettings.ConnMaxLifetimeMilliseconds', defaultMessage: 'Maximum Connection Lifetime (milliseconds)'}),
                        help: defineMessage({id: 'admin.SqlSettings.ConnMaxLifetimeMilliseconds.help', defaultMessage: 'A connection older than this is closed and replaced.'}),
                        validate: {min: 0}, restart: true,
                    }),
                    s('SqlSettings.Trace', 'bool', false, {
                        label: defineMessage({id: 'admin.SqlSettings.Trace', defaultMessage: 'SQL Statement Logging'}),
                        help: defineMessage({id: 'admin.SqlSettings.Trace.help', defaultMessage: 'Write every SQL statement to the log. For debugging only.'}),
                        restart: true,
                    }),
                ],
            },
            {
                kind: 'settings', id: 'file_storage', resource: 'environment_file_storage',
                title: defineMessage({id: 'admin.page.fileStorage', defaultMessage: 'File Storage'}),
                actions: ['test_s3'],
                settings: [
                    s('FileSettings.DriverName', 'select', "local", {
                        label: defineMessage({id: 'admin.FileSettings.DriverName', defaultMessage: 'File Storage System'}),
                        help: defineMessage({id: 'admin.FileSettings.DriverName.help', defaultMessage: 'Where attachments, images and exports are kept: a local directory or an Amazon S3 compatible bucket.'}),
                        options: [
                            {value: 'local', label: defineMessage({id: 'admin.option.files.local', defaultMessage: 'Local File System'})},
                            {value: 'amazons3', label: defineMessage({id: 'admin.option.files.s3', defaultMessage: 'Amazon S3'})},
                        ],
                    }),
                    s('FileSettings.Directory', 'text', "./data/", {
                        label: defineMessage({id: 'admin.FileSettings.Directory', defaultMessage: 'Local Storage Directory'}),
                        help: defineMessage({id: 'admin.FileSettings.Directory.help', defaultMessage: 'The directory files are written to with the local file system.'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'local',
                    }),
                    s('FileSettings.MaxFileSize', 'number', 104857600, {
                        label: defineMessage({id: 'admin.FileSettings.MaxFileSize', defaultMessage: 'Maximum File Size (bytes)'}),
                        help: defineMessage({id: 'admin.FileSettings.MaxFileSize.help', defaultMessage: 'The largest attachment accepted. 104857600 is 100 MB.'}),
                        validate: {min: 1},
                    }),
                    s('FileSettings.AmazonS3Bucket', 'text', "", {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3Bucket', defaultMessage: 'Amazon S3 Bucket'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3Bucket.help', defaultMessage: 'The name of the bucket.'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                    s('FileSettings.AmazonS3PathPrefix', 'text', "", {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3PathPrefix', defaultMessage: 'Amazon S3 Path Prefix'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3PathPrefix.help', defaultMessage: 'A folder inside the bucket to keep the files under.'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                    s('FileSettings.AmazonS3Region', 'text', "", {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3Region', defaultMessage: 'Amazon S3 Region'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3Region.help', defaultMessage: 'The bucket\'s region, e.g. us-east-1.'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                    s('FileSettings.AmazonS3AccessKeyId', 'text', "", {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3AccessKeyId', defaultMessage: 'Amazon S3 Access Key ID'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3AccessKeyId.help', defaultMessage: 'The access key of an account allowed to read and write the bucket.'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                    s('FileSettings.AmazonS3SecretAccessKey', 'secret', "", {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3SecretAccessKey', defaultMessage: 'Amazon S3 Secret Access Key'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3SecretAccessKey.help', defaultMessage: 'The secret belonging to the access key. Kept secret: type a new value to replace it.'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                    s('FileSettings.AmazonS3Endpoint', 'text', "s3.amazonaws.com", {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3Endpoint', defaultMessage: 'Amazon S3 Endpoint'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3Endpoint.help', defaultMessage: 'host[:port] of the S3 service (MinIO or another S3 compatible store works too).'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                    s('FileSettings.AmazonS3SSL', 'bool', true, {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3SSL', defaultMessage: 'Enable Secure Amazon S3 Connections'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3SSL.help', defaultMessage: 'Talk to the endpoint over HTTPS.'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                    s('FileSettings.AmazonS3SSE', 'bool', false, {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3SSE', defaultMessage: 'Enable Server-Side Encryption'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3SSE.help', defaultMessage: 'Ask S3 to encrypt the files it stores.'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                    s('FileSettings.AmazonS3RequestTimeoutMilliseconds', 'number', 30000, {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3RequestTimeoutMilliseconds', defaultMessage: 'Amazon S3 Request Timeout (milliseconds)'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3RequestTimeoutMilliseconds.help', defaultMessage: 'How long one request to S3 may take.'}),
                        validate: {min: 1}, dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                    s('FileSettings.AmazonS3Trace', 'bool', false, {
                        label: defineMessage({id: 'admin.FileSettings.AmazonS3Trace', defaultMessage: 'Enable Amazon S3 Debugging'}),
                        help: defineMessage({id: 'admin.FileSettings.AmazonS3Trace.help', defaultMessage: 'Log every request to S3.'}),
                        dependsOn: 'FileSettings.DriverName', dependsOnValue: 'amazons3',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'smtp', resource: 'environment_smtp',
                title: defineMessage({id: 'admin.page.smtp', defaultMessage: 'SMTP'}),
                actions: ['test_email'],
                settings: [
                    s('EmailSettings.SMTPServer', 'text', "localhost", {
                        label: defineMessage({id: 'admin.EmailSettings.SMTPServer', defaultMessage: 'SMTP Server'}),
                        help: defineMessage({id: 'admin.EmailSettings.SMTPServer.help', defaultMessage: 'The host name of the mail server that sends notification and sign-up emails.'}),
                        validate: {required: true},
                    }),
                    s('EmailSettings.SMTPPort', 'text', "10025", {
                        label: defineMessage({id: 'admin.EmailSettings.SMTPPort', defaultMessage: 'SMTP Server Port'}),
                        help: defineMessage({id: 'admin.EmailSettings.SMTPPort.help', defaultMessage: 'Usually 25, 465 (TLS) or 587 (STARTTLS).'}),
                        validate: {required: true},
                    }),
                    s('EmailSettings.EnableSMTPAuth', 'bool', false, {
                        label: defineMessage({id: 'admin.EmailSettings.EnableSMTPAuth', defaultMessage: 'Enable SMTP Authentication'}),
                        help: defineMessage({id: 'admin.EmailSettings.EnableSMTPAuth.help', defaultMessage: 'Sign in to the mail server with the username and password below.'}),
                    }),
                    s('EmailSettings.SMTPUsername', 'text', "", {
                        label: defineMessage({id: 'admin.EmailSettings.SMTPUsername', defaultMessage: 'SMTP Server Username'}),
                        dependsOn: 'EmailSettings.EnableSMTPAuth',
                    }),
                    s('EmailSettings.SMTPPassword', 'secret', "", {
                        label: defineMessage({id: 'admin.EmailSettings.SMTPPassword', defaultMessage: 'SMTP Server Password'}),
                        help: defineMessage({id: 'admin.EmailSettings.SMTPPassword.help', defaultMessage: 'Kept secret: type a new value to replace it.'}),
                        dependsOn: 'EmailSettings.EnableSMTPAuth',
                    }),
                    s('EmailSettings.ConnectionSecurity', 'select', "", {
                        label: defineMessage({id: 'admin.EmailSettings.ConnectionSecurity', defaultMessage: 'Connection Security'}),
                        help: defineMessage({id: 'admin.EmailSettings.ConnectionSecurity.help', defaultMessage: 'TLS connects encrypted from the start; STARTTLS upgrades a plain connection.'}),
                        options: securityOptions,
                    }),
                    s('EmailSettings.SkipServerCertificateVerification', 'bool', false, {
                        label: defineMessage({id: 'admin.EmailSettings.SkipServerCertificateVerification', defaultMessage: 'Skip Server Certificate Verification'}),
                        help: defineMessage({id: 'admin.EmailSettings.SkipServerCertificateVerification.help', defaultMessage: 'Accept a self-signed certificate. Not recommended in production.'}),
                    }),
                    s('EmailSettings.SMTPServerTimeout', 'number', 10, {
                        label: defineMessage({id: 'admin.EmailSettings.SMTPServerTimeout', defaultMessage: 'SMTP Server Timeout (seconds)'}),
                        help: defineMessage({id: 'admin.EmailSettings.SMTPServerTimeout.help', defaultMessage: 'How long to wait for the mail server.'}),
                        validate: {min: 1},
                    }),
                ],
            },
            {
                kind: 'settings', id: 'push_notification_server', resource: 'environment_push_notification_server',
                title: defineMessage({id: 'admin.page.push', defaultMessage: 'Push Notification Server'}),
                settings: [
                    s('EmailSettings.SendPushNotifications', 'bool', true, {
                        label: defineMessage({id: 'admin.EmailSettings.SendPushNotifications', defaultMessage: 'Enable Push Notifications'}),
                        help: defineMessage({id: 'admin.EmailSettings.SendPushNotifications.help', defaultMessage: 'Send notifications to the mobile apps through the push proxy.'}),
                    }),
                    s('EmailSettings.PushNotificationServer', 'text', "", {
                        label: defineMessage({id: 'admin.EmailSettings.PushNotificationServer', defaultMessage: 'Push Notification Server'}),
                        help: defineMessage({id: 'admin.EmailSettings.PushNotificationServer.help', defaultMessage: 'The push proxy\'s address, e.g. https://push.mattermost.com or your own mattermost-push-proxy.'}),
                        validate: {url: true}, dependsOn: 'EmailSettings.SendPushNotifications',
                    }),
                    s('EmailSettings.PushNotificationContents', 'select', "full", {
                        label: defineMessage({id: 'admin.EmailSettings.PushNotificationContents', defaultMessage: 'Push Notification Contents'}),
                        help: defineMessage({id: 'admin.EmailSettings.PushNotificationContents.help', defaultMessage: 'How much of a message a push notification shows on the phone\'s lock screen.'}),
                        options: [
                            {value: 'generic_no_channel', label: defineMessage({id: 'admin.option.push.genericNoChannel', defaultMessage: 'Generic description with only sender name'})},
                            {value: 'generic', label: defineMessage({id: 'admin.option.push.generic', defaultMessage: 'Generic description with sender and channel names'})},
                            {value: 'full', label: defineMessage({id: 'admin.option.push.full', defaultMessage: 'Full message contents sent in the notification payload'})},
                            {value: 'id_loaded', label: defineMessage({id: 'admin.option.push.idLoaded', defaultMessage: 'Full message contents fetched from the server on receipt'})},
                        ],
                        dependsOn: 'EmailSettings.SendPushNotifications',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'high_availability', resource: 'environment_high_availability',
                title: defineMessage({id: 'admin.page.highAvailability', defaultMessage: 'High Availability'}),
                intro: restartNote,
                extra: 'cluster_status',
                settings: [
                    s('ClusterSettings.Enable', 'bool', false, {
                        label: defineMessage({id: 'admin.ClusterSettings.Enable', defaultMessage: 'Enable High Availability Mode'}),
                        help: defineMessage({id: 'admin.ClusterSettings.Enable.help', defaultMessage: 'Run several chinwag nodes on one PostgreSQL database, sharing events through Redis.'}),
                        restart: true,
                    }),
                    s('ClusterSettings.ClusterName', 'text', "", {
                        label: defineMessage({id: 'admin.ClusterSettings.ClusterName', defaultMessage: 'Cluster Name'}),
                        help: defineMessage({id: 'admin.ClusterSettings.ClusterName.help', defaultMessage: 'Nodes with the same name form one cluster.'}),
                        restart: true,
                    }),
                    s('ClusterSettings.OverrideHostname', 'text', "", {
                        label: defineMessage({id: 'admin.ClusterSettings.OverrideHostname', defaultMessage: 'Override Hostname'}),
                        help: defineMessage({id: 'admin.ClusterSettings.OverrideHostname.help', defaultMessage: 'The name this node reports instead of the machine\'s host name.'}),
                        restart: true,
                    }),
                    s('RedisSettings.Enable', 'bool', false, {
                        label: defineMessage({id: 'admin.RedisSettings.Enable', defaultMessage: 'Use Redis for the Event Stream'}),
                        help: defineMessage({id: 'admin.RedisSettings.Enable.help', defaultMessage: 'chinwag\'s own: carry events between the nodes over a Redis stream.'}),
                        restart: true,
                    }),
                    s('RedisSettings.URL', 'secret', "redis://127.0.0.1:6379/0", {
                        label: defineMessage({id: 'admin.RedisSettings.URL', defaultMessage: 'Redis URL'}),
                        help: defineMessage({id: 'admin.RedisSettings.URL.help', defaultMessage: 'redis://[:password@]host:port/db. Kept secret: type a new value to replace it.'}),
                        dependsOn: 'RedisSettings.Enable', restart: true,
                    }),
                ],
            },
            {
                kind: 'settings', id: 'rate_limiting', resource: 'environment_rate_limiting',
                title: defineMessage({id: 'admin.page.rateLimiting', defaultMessage: 'Rate Limiting'}),
                settings: [
                    s('RateLimitSettings.Enable', 'bool', false, {
                        label: defineMessage({id: 'admin.RateLimitSettings.Enable', defaultMessage: 'Enable Rate Limiting'}),
                        help: defineMessage({id: 'admin.RateLimitSettings.Enable.help', defaultMessage: 'Refuse API requests above the rate below with 429 Too Many Requests.'}),
                    }),
                    s('RateLimitSettings.PerSec', 'number', 10, {
                        label: defineMessage({id: 'admin.RateLimitSettings.PerSec', defaultMessage: 'Maximum Queries per Second'}),
                        help: defineMessage({id: 'admin.RateLimitSettings.PerSec.help', defaultMessage: 'Requests allowed per second for one client.'}),
                        validate: {min: 1}, dependsOn: 'RateLimitSettings.Enable',
                    }),
                    s('RateLimitSettings.MaxBurst', 'number', 100, {
                        label: defineMessage({id: 'admin.RateLimitSettings.MaxBurst', defaultMessage: 'Maximum Burst Size'}),
                        help: defineMessage({id: 'admin.RateLimitSettings.MaxBurst.help', defaultMessage: 'Requests allowed above the rate in a short burst.'}),
                        validate: {min: 1}, dependsOn: 'RateLimitSettings.Enable',
                    }),
                    s('RateLimitSettings.MemoryStoreSize', 'number', 10000, {
                        label: defineMessage({id: 'admin.RateLimitSettings.MemoryStoreSize', defaultMessage: 'Memory Store Size'}),
                        help: defineMessage({id: 'admin.RateLimitSettings.MemoryStoreSize.help', defaultMessage: 'How many clients are tracked at once.'}),
                        validate: {min: 1}, dependsOn: 'RateLimitSettings.Enable',
                    }),
                    s('RateLimitSettings.VaryByRemoteAddr', 'bool', true, {
                        label: defineMessage({id: 'admin.RateLimitSettings.VaryByRemoteAddr', defaultMessage: 'Vary Rate Limit by Remote Address'}),
                        help: defineMessage({id: 'admin.RateLimitSettings.VaryByRemoteAddr.help', defaultMessage: 'Count requests per client IP address.'}),
                        dependsOn: 'RateLimitSettings.Enable',
                    }),
                    s('RateLimitSettings.VaryByUser', 'bool', false, {
                        label: defineMessage({id: 'admin.RateLimitSettings.VaryByUser', defaultMessage: 'Vary Rate Limit by User'}),
                        help: defineMessage({id: 'admin.RateLimitSettings.VaryByUser.help', defaultMessage: 'Count requests per signed-in user.'}),
                        dependsOn: 'RateLimitSettings.Enable',
                    }),
                    s('RateLimitSettings.VaryByHeader', 'text', "", {
                        label: defineMessage({id: 'admin.RateLimitSettings.VaryByHeader', defaultMessage: 'Vary Rate Limit by HTTP Header'}),
                        help: defineMessage({id: 'admin.RateLimitSettings.VaryByHeader.help', defaultMessage: 'Count requests per value of this header (e.g. X-Real-IP behind a proxy).'}),
                        dependsOn: 'RateLimitSettings.Enable',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'logging', resource: 'environment_logging',
                title: defineMessage({id: 'admin.page.logging', defaultMessage: 'Logging'}),
                settings: [
                    s('LogSettings.EnableConsole', 'bool', true, {
                        label: defineMessage({id: 'admin.LogSettings.EnableConsole', defaultMessage: 'Output Logs to Console'}),
                        help: defineMessage({id: 'admin.LogSettings.EnableConsole.help', defaultMessage: 'Write log lines to standard output.'}),
                    }),
                    s('LogSettings.ConsoleLevel', 'select', "INFO", {
                        label: defineMessage({id: 'admin.LogSettings.ConsoleLevel', defaultMessage: 'Console Log Level'}),
                        options: levelOptions, dependsOn: 'LogSettings.EnableConsole',
                    }),
                    s('LogSettings.ConsoleJson', 'bool', false, {
                        label: defineMessage({id: 'admin.LogSettings.ConsoleJson', defaultMessage: 'Output Console Logs as JSON'}),
                        dependsOn: 'LogSettings.EnableConsole',
                    }),
                    s('LogSettings.EnableFile', 'bool', true, {
                        label: defineMessage({id: 'admin.LogSettings.EnableFile', defaultMessage: 'Output Logs to File'}),
                        help: defineMessage({id: 'admin.LogSettings.EnableFile.help', defaultMessage: 'Write log lines to a file. Server Logs under Reporting shows this file.'}),
                    }),
                    s('LogSettings.FileLevel', 'select', "INFO", {
                        label: defineMessage({id: 'admin.LogSettings.FileLevel', defaultMessage: 'File Log Level'}),
                        options: levelOptions, dependsOn: 'LogSettings.EnableFile',
                    }),
                    s('LogSettings.FileJson', 'bool', true, {
                        label: defineMessage({id: 'admin.LogSettings.FileJson', defaultMessage: 'Output File Logs as JSON'}),
                        dependsOn: 'LogSettings.EnableFile',
                    }),
                    s('LogSettings.FileLocation', 'text', "", {
                        label: defineMessage({id: 'admin.LogSettings.FileLocation', defaultMessage: 'File Log Directory'}),
                        help: defineMessage({id: 'admin.LogSettings.FileLocation.help', defaultMessage: 'The directory of chinwag.log. Empty means ./logs.'}),
                        dependsOn: 'LogSettings.EnableFile',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'performance_monitoring', resource: 'environment_performance_monitoring',
                title: defineMessage({id: 'admin.page.performanceMonitoring', defaultMessage: 'Performance Monitoring'}),
                settings: [
                    s('MetricsSettings.Enable', 'bool', false, {
                        label: defineMessage({id: 'admin.MetricsSettings.Enable', defaultMessage: 'Enable Performance Monitoring'}),
                        help: defineMessage({id: 'admin.MetricsSettings.Enable.help', defaultMessage: 'Serve Prometheus metrics at /metrics on the listen address below.'}),
                    }),
                    s('MetricsSettings.EnableClientMetrics', 'bool', true, {
                        label: defineMessage({id: 'admin.MetricsSettings.EnableClientMetrics', defaultMessage: 'Enable Client Performance Monitoring'}),
                        help: defineMessage({id: 'admin.MetricsSettings.EnableClientMetrics.help', defaultMessage: 'Record the performance reports the web and desktop apps send (POST /client_perf) among the metrics.'}),
                        dependsOn: 'MetricsSettings.Enable',
                    }),
                    s('MetricsSettings.ClientSideUserIds', 'list', [], {
                        label: defineMessage({id: 'admin.MetricsSettings.ClientSideUserIds', defaultMessage: 'Client Side User IDs'}),
                        help: defineMessage({id: 'admin.MetricsSettings.ClientSideUserIds.help', defaultMessage: 'The user IDs whose client metrics carry their ID as a label, separated by spaces or commas; all other users share one label.'}),
                        dependsOn: 'MetricsSettings.EnableClientMetrics', placeholder: 'userid1 userid2',
                    }),
                    s('MetricsSettings.ListenAddress', 'text', ":8067", {
                        label: defineMessage({id: 'admin.MetricsSettings.ListenAddress', defaultMessage: 'Listen Address'}),
                        help: defineMessage({id: 'admin.MetricsSettings.ListenAddress.help', defaultMessage: 'The address and port of the metrics listener, as host:port or :port.'}),
                        validate: {hostPort: true}, dependsOn: 'MetricsSettings.Enable',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'session_lengths', resource: 'environment_session_lengths',
                title: defineMessage({id: 'admin.page.sessionLengths', defaultMessage: 'Session Lengths'}),
                settings: [
                    s('ServiceSettings.ExtendSessionLengthWithActivity', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.ExtendSessionLengthWithActivity', defaultMessage: 'Extend Session Length with Activity'}),
                        help: defineMessage({id: 'admin.ServiceSettings.ExtendSessionLengthWithActivity.help', defaultMessage: 'Start the session length over whenever the user is active.'}),
                    }),
                    s('ServiceSettings.SessionLengthWebInHours', 'number', 720, {
                        label: defineMessage({id: 'admin.ServiceSettings.SessionLengthWebInHours', defaultMessage: 'Session Length for Web and Desktop (hours)'}),
                        validate: {min: 1},
                    }),
                    s('ServiceSettings.SessionLengthMobileInHours', 'number', 720, {
                        label: defineMessage({id: 'admin.ServiceSettings.SessionLengthMobileInHours', defaultMessage: 'Session Length for Mobile (hours)'}),
                        validate: {min: 1},
                    }),
                    s('ServiceSettings.SessionLengthSSOInHours', 'number', 720, {
                        label: defineMessage({id: 'admin.ServiceSettings.SessionLengthSSOInHours', defaultMessage: 'Session Length for Single Sign-On (hours)'}),
                        validate: {min: 1},
                    }),
                    s('ServiceSettings.SessionIdleTimeoutInMinutes', 'number', 43200, {
                        label: defineMessage({id: 'admin.ServiceSettings.SessionIdleTimeoutInMinutes', defaultMessage: 'Session Idle Timeout (minutes)'}),
                        help: defineMessage({id: 'admin.ServiceSettings.SessionIdleTimeoutInMinutes.help', defaultMessage: 'Sign out web sessions idle for this long. 0 turns it off.'}),
                        validate: {min: 0},
                    }),
                ],
            },
        ],
    },
    {
        id: 'site_config',
        title: defineMessage({id: 'admin.section.siteConfig', defaultMessage: 'Site Configuration'}),
        pages: [
            {
                kind: 'settings', id: 'customization', resource: 'site_customization',
                title: defineMessage({id: 'admin.page.customization', defaultMessage: 'Customization'}),
                settings: [
                    s('TeamSettings.SiteName', 'text', "chinwag", {
                        label: defineMessage({id: 'admin.TeamSettings.SiteName', defaultMessage: 'Site Name'}),
                        help: defineMessage({id: 'admin.TeamSettings.SiteName.help', defaultMessage: 'The name shown on the sign-in page, in emails and in the browser tab.'}),
                        validate: {required: true, maxLength: 30},
                    }),
                    s('TeamSettings.CustomDescriptionText', 'text', "", {
                        label: defineMessage({id: 'admin.TeamSettings.CustomDescriptionText', defaultMessage: 'Site Description'}),
                        help: defineMessage({id: 'admin.TeamSettings.CustomDescriptionText.help', defaultMessage: 'A line of text under the site name on the sign-in page.'}),
                    }),
                    s('TeamSettings.EnableCustomBrand', 'bool', false, {
                        label: defineMessage({id: 'admin.TeamSettings.EnableCustomBrand', defaultMessage: 'Enable Custom Branding'}),
                        help: defineMessage({id: 'admin.TeamSettings.EnableCustomBrand.help', defaultMessage: 'Show the custom brand text on the sign-in page.'}),
                    }),
                    s('TeamSettings.CustomBrandText', 'text', "", {
                        label: defineMessage({id: 'admin.TeamSettings.CustomBrandText', defaultMessage: 'Custom Brand Text'}),
                        dependsOn: 'TeamSettings.EnableCustomBrand',
                    }),
                    s('SupportSettings.HelpLink', 'text', "", {
                        label: defineMessage({id: 'admin.SupportSettings.HelpLink', defaultMessage: 'Help Link'}),
                        help: defineMessage({id: 'admin.SupportSettings.HelpLink.help', defaultMessage: 'Where "Help" in the menus leads.'}),
                        validate: {url: true},
                    }),
                    s('SupportSettings.TermsOfServiceLink', 'text', "", {
                        label: defineMessage({id: 'admin.SupportSettings.TermsOfServiceLink', defaultMessage: 'Terms of Use Link'}),
                        validate: {url: true},
                    }),
                    s('SupportSettings.PrivacyPolicyLink', 'text', "", {
                        label: defineMessage({id: 'admin.SupportSettings.PrivacyPolicyLink', defaultMessage: 'Privacy Policy Link'}),
                        validate: {url: true},
                    }),
                    s('SupportSettings.AboutLink', 'text', "", {
                        label: defineMessage({id: 'admin.SupportSettings.AboutLink', defaultMessage: 'About Link'}),
                        validate: {url: true},
                    }),
                    s('SupportSettings.ReportAProblemLink', 'text', "", {
                        label: defineMessage({id: 'admin.SupportSettings.ReportAProblemLink', defaultMessage: 'Report a Problem Link'}),
                        validate: {url: true},
                    }),
                    s('SupportSettings.SupportEmail', 'text', "", {
                        label: defineMessage({id: 'admin.SupportSettings.SupportEmail', defaultMessage: 'Support Email Address'}),
                        help: defineMessage({id: 'admin.SupportSettings.SupportEmail.help', defaultMessage: 'Shown in emails and help texts for people to write to.'}),
                        validate: {email: true},
                    }),
                    s('NativeAppSettings.AppDownloadLink', 'text', "", {
                        label: defineMessage({id: 'admin.NativeAppSettings.AppDownloadLink', defaultMessage: 'Mattermost Apps Download Page Link'}),
                        validate: {url: true},
                    }),
                    s('NativeAppSettings.AndroidAppDownloadLink', 'text', "", {
                        label: defineMessage({id: 'admin.NativeAppSettings.AndroidAppDownloadLink', defaultMessage: 'Android App Download Link'}),
                        validate: {url: true},
                    }),
                    s('NativeAppSettings.IosAppDownloadLink', 'text', "", {
                        label: defineMessage({id: 'admin.NativeAppSettings.IosAppDownloadLink', defaultMessage: 'iOS App Download Link'}),
                        validate: {url: true},
                    }),
                ],
            },
            {
                kind: 'settings', id: 'localization', resource: 'site_localization',
                title: defineMessage({id: 'admin.page.localization', defaultMessage: 'Localization'}),
                settings: [
                    // Shown once the server has LocalizationSettings (settings missing from GET /config are left out).
                    s('LocalizationSettings.DefaultServerLocale', 'text', "en", {
                        label: defineMessage({id: 'admin.LocalizationSettings.DefaultServerLocale', defaultMessage: 'Default Server Language'}),
                        help: defineMessage({id: 'admin.LocalizationSettings.DefaultServerLocale.help', defaultMessage: 'The language of system messages and emails.'}),
                    }),
                    s('LocalizationSettings.DefaultClientLocale', 'text', "en", {
                        label: defineMessage({id: 'admin.LocalizationSettings.DefaultClientLocale', defaultMessage: 'Default Client Language'}),
                        help: defineMessage({id: 'admin.LocalizationSettings.DefaultClientLocale.help', defaultMessage: 'The language of the web app for new users and before sign-in.'}),
                    }),
                    s('LocalizationSettings.AvailableLocales', 'text', "", {
                        label: defineMessage({id: 'admin.LocalizationSettings.AvailableLocales', defaultMessage: 'Available Languages'}),
                        help: defineMessage({id: 'admin.LocalizationSettings.AvailableLocales.help', defaultMessage: 'Comma-separated languages people may choose. Empty offers every language.'}),
                    }),
                ],
            },
            {
                kind: 'settings', id: 'users_and_teams', resource: 'site_users_and_teams',
                title: defineMessage({id: 'admin.page.usersAndTeams', defaultMessage: 'Users and Teams'}),
                settings: [
                    s('TeamSettings.MaxUsersPerTeam', 'number', 100000, {
                        label: defineMessage({id: 'admin.TeamSettings.MaxUsersPerTeam', defaultMessage: 'Max Users Per Team'}),
                        validate: {min: 1},
                    }),
                    s('TeamSettings.MaxChannelsPerTeam', 'number', 2000, {
                        label: defineMessage({id: 'admin.TeamSettings.MaxChannelsPerTeam', defaultMessage: 'Max Channels Per Team'}),
                        validate: {min: 1},
                    }),
                    s('TeamSettings.RestrictDirectMessage', 'select', "any", {
                        label: defineMessage({id: 'admin.TeamSettings.RestrictDirectMessage', defaultMessage: 'Enable Direct Messages With'}),
                        help: defineMessage({id: 'admin.TeamSettings.RestrictDirectMessage.help', defaultMessage: 'Whom people may start a direct message with.'}),
                        options: [
                            {value: 'any', label: defineMessage({id: 'admin.option.dm.any', defaultMessage: 'Any user on the server'})},
                            {value: 'team', label: defineMessage({id: 'admin.option.dm.team', defaultMessage: 'Any member of the team'})},
                        ],
                    }),
                    s('TeamSettings.TeammateNameDisplay', 'select', "username", {
                        label: defineMessage({id: 'admin.TeamSettings.TeammateNameDisplay', defaultMessage: 'Teammate Name Display'}),
                        help: defineMessage({id: 'admin.TeamSettings.TeammateNameDisplay.help', defaultMessage: 'How names are shown in posts and lists, unless people choose otherwise.'}),
                        options: [
                            {value: 'username', label: defineMessage({id: 'admin.option.name.username', defaultMessage: 'Show username'})},
                            {value: 'nickname_full_name', label: defineMessage({id: 'admin.option.name.nickname', defaultMessage: 'Show nickname if one exists, otherwise the first and last name'})},
                            {value: 'full_name', label: defineMessage({id: 'admin.option.name.full', defaultMessage: 'Show first and last name'})},
                        ],
                    }),
                    s('TeamSettings.LockTeammateNameDisplay', 'bool', false, {
                        label: defineMessage({id: 'admin.TeamSettings.LockTeammateNameDisplay', defaultMessage: 'Lock Teammate Name Display'}),
                        help: defineMessage({id: 'admin.TeamSettings.LockTeammateNameDisplay.help', defaultMessage: 'People cannot change how names are shown.'}),
                    }),
                    s('TeamSettings.ExperimentalViewArchivedChannels', 'bool', true, {
                        label: defineMessage({id: 'admin.TeamSettings.ExperimentalViewArchivedChannels', defaultMessage: 'Allow Viewing Archived Channels'}),
                    }),
                    s('PrivacySettings.ShowEmailAddress', 'bool', true, {
                        label: defineMessage({id: 'admin.PrivacySettings.ShowEmailAddress', defaultMessage: 'Show Email Address'}),
                        help: defineMessage({id: 'admin.PrivacySettings.ShowEmailAddress.help', defaultMessage: 'Others see a user\'s email address. System admins always do.'}),
                    }),
                    s('PrivacySettings.ShowFullName', 'bool', true, {
                        label: defineMessage({id: 'admin.PrivacySettings.ShowFullName', defaultMessage: 'Show Full Name'}),
                    }),
                    s('TeamSettings.EnableCustomUserStatuses', 'bool', true, {
                        label: defineMessage({id: 'admin.TeamSettings.EnableCustomUserStatuses', defaultMessage: 'Enable Custom Statuses'}),
                    }),
                    s('ServiceSettings.EnableUserStatuses', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableUserStatuses', defaultMessage: 'Enable User Statuses'}),
                        help: defineMessage({id: 'admin.ServiceSettings.EnableUserStatuses.help', defaultMessage: 'Show online, away and do-not-disturb statuses.'}),
                    }),
                    s('TeamSettings.EnableUserDeactivation', 'bool', false, {
                        label: defineMessage({id: 'admin.TeamSettings.EnableUserDeactivation', defaultMessage: 'Enable Account Deactivation'}),
                        help: defineMessage({id: 'admin.TeamSettings.EnableUserDeactivation.help', defaultMessage: 'People may deactivate their own account.'}),
                    }),
                ],
            },
            {
                kind: 'settings', id: 'notifications', resource: 'site_notifications',
                title: defineMessage({id: 'admin.page.notifications', defaultMessage: 'Notifications'}),
                settings: [
                    s('TeamSettings.EnableConfirmNotificationsToChannel', 'bool', true, {
                        label: defineMessage({id: 'admin.TeamSettings.EnableConfirmNotificationsToChannel', defaultMessage: 'Show @channel, @all and @here Confirmation'}),
                        help: defineMessage({id: 'admin.TeamSettings.EnableConfirmNotificationsToChannel.help', defaultMessage: 'Ask before notifying more than five people at once.'}),
                    }),
                    s('TeamSettings.MaxNotificationsPerChannel', 'number', 1000, {
                        label: defineMessage({id: 'admin.TeamSettings.MaxNotificationsPerChannel', defaultMessage: 'Max Notifications Per Channel'}),
                        help: defineMessage({id: 'admin.TeamSettings.MaxNotificationsPerChannel.help', defaultMessage: 'Channels with more members than this send no @all, @channel or @here notifications.'}),
                        validate: {min: 1},
                    }),
                    s('EmailSettings.SendEmailNotifications', 'bool', true, {
                        label: defineMessage({id: 'admin.EmailSettings.SendEmailNotifications', defaultMessage: 'Enable Email Notifications'}),
                        help: defineMessage({id: 'admin.EmailSettings.SendEmailNotifications.help', defaultMessage: 'Email people about mentions and direct messages they missed.'}),
                    }),
                    s('EmailSettings.EnableEmailBatching', 'bool', false, {
                        label: defineMessage({id: 'admin.EmailSettings.EnableEmailBatching', defaultMessage: 'Enable Email Batching'}),
                        help: defineMessage({id: 'admin.EmailSettings.EnableEmailBatching.help', defaultMessage: 'Collect notifications into one digest email at the interval below.'}),
                        dependsOn: 'EmailSettings.SendEmailNotifications',
                    }),
                    s('EmailSettings.EmailBatchingInterval', 'number', 30, {
                        label: defineMessage({id: 'admin.EmailSettings.EmailBatchingInterval', defaultMessage: 'Email Batching Interval (seconds)'}),
                        help: defineMessage({id: 'admin.EmailSettings.EmailBatchingInterval.help', defaultMessage: 'How often digests are sent.'}),
                        validate: {min: 1}, dependsOn: 'EmailSettings.EnableEmailBatching',
                    }),
                    s('EmailSettings.EmailNotificationContentsType', 'select', "full", {
                        label: defineMessage({id: 'admin.EmailSettings.EmailNotificationContentsType', defaultMessage: 'Email Notification Contents'}),
                        options: [
                            {value: 'full', label: defineMessage({id: 'admin.option.email.full', defaultMessage: 'Send full message contents'})},
                            {value: 'generic', label: defineMessage({id: 'admin.option.email.generic', defaultMessage: 'Send generic description with only sender name'})},
                        ],
                        dependsOn: 'EmailSettings.SendEmailNotifications',
                    }),
                    s('EmailSettings.FeedbackName', 'text', "", {
                        label: defineMessage({id: 'admin.EmailSettings.FeedbackName', defaultMessage: 'Notification Display Name'}),
                        help: defineMessage({id: 'admin.EmailSettings.FeedbackName.help', defaultMessage: 'The sender name on notification emails.'}),
                    }),
                    s('EmailSettings.FeedbackEmail', 'text', "test@example.com", {
                        label: defineMessage({id: 'admin.EmailSettings.FeedbackEmail', defaultMessage: 'Notification From Address'}),
                        validate: {email: true},
                    }),
                    s('EmailSettings.ReplyToAddress', 'text', "test@example.com", {
                        label: defineMessage({id: 'admin.EmailSettings.ReplyToAddress', defaultMessage: 'Notification Reply-To Address'}),
                        validate: {email: true},
                    }),
                    s('EmailSettings.FeedbackOrganization', 'text', "", {
                        label: defineMessage({id: 'admin.EmailSettings.FeedbackOrganization', defaultMessage: 'Notification Footer Mailing Address'}),
                        help: defineMessage({id: 'admin.EmailSettings.FeedbackOrganization.help', defaultMessage: 'Your organisation\'s name and postal address, shown at the bottom of emails.'}),
                    }),
                ],
            },
            {
                kind: 'settings', id: 'posts', resource: 'site_posts',
                title: defineMessage({id: 'admin.page.posts', defaultMessage: 'Posts'}),
                settings: [
                    s('ServiceSettings.CollapsedThreads', 'select', "always_on", {
                        label: defineMessage({id: 'admin.ServiceSettings.CollapsedThreads', defaultMessage: 'Threaded Discussions'}),
                        help: defineMessage({id: 'admin.ServiceSettings.CollapsedThreads.help', defaultMessage: 'Replies are shown in threads rather than in the channel.'}),
                        options: [
                            {value: 'disabled', label: defineMessage({id: 'admin.option.crt.disabled', defaultMessage: 'Disabled'})},
                            {value: 'default_off', label: defineMessage({id: 'admin.option.crt.defaultOff', defaultMessage: 'Available, off by default'})},
                            {value: 'default_on', label: defineMessage({id: 'admin.option.crt.defaultOn', defaultMessage: 'Available, on by default'})},
                            {value: 'always_on', label: defineMessage({id: 'admin.option.crt.alwaysOn', defaultMessage: 'Always on'})},
                        ],
                    }),
                    s('ServiceSettings.ThreadAutoFollow', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.ThreadAutoFollow', defaultMessage: 'Automatically Follow Threads'}),
                        help: defineMessage({id: 'admin.ServiceSettings.ThreadAutoFollow.help', defaultMessage: 'People follow threads they start, reply to or are mentioned in.'}),
                    }),
                    s('ServiceSettings.EnableLinkPreviews', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableLinkPreviews', defaultMessage: 'Enable Website Link Previews'}),
                    }),
                    s('ServiceSettings.AllowSyncedDrafts', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.AllowSyncedDrafts', defaultMessage: 'Sync Drafts with the Server'}),
                        help: defineMessage({id: 'admin.ServiceSettings.AllowSyncedDrafts.help', defaultMessage: 'Drafts are kept on the server, so a draft started on one device can be finished on another. People may turn it off for themselves in Account settings → Advanced.'}),
                    }),
                    s('ServiceSettings.PostEditTimeLimit', 'number', -1, {
                        label: defineMessage({id: 'admin.ServiceSettings.PostEditTimeLimit', defaultMessage: 'Message Edit Time Limit (seconds)'}),
                        help: defineMessage({id: 'admin.ServiceSettings.PostEditTimeLimit.help', defaultMessage: 'How long after posting a message may be edited. -1 means forever.'}),
                        validate: {min: -1},
                    }),
                    s('ServiceSettings.EnableReadReceipts', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableReadReceipts', defaultMessage: 'Enable Read Receipts'}),
                        help: defineMessage({id: 'admin.ServiceSettings.EnableReadReceipts.help', defaultMessage: 'chinwag\'s own: people who turn them on see who has read their messages in direct messages and small channels.'}),
                    }),
                    s('ServiceSettings.ReadReceiptsMaxChannelMembers', 'number', 20, {
                        label: defineMessage({id: 'admin.ServiceSettings.ReadReceiptsMaxChannelMembers', defaultMessage: 'Read Receipts Channel Size Limit'}),
                        help: defineMessage({id: 'admin.ServiceSettings.ReadReceiptsMaxChannelMembers.help', defaultMessage: 'Channels with more members show no read receipts.'}),
                        validate: {min: 1}, dependsOn: 'ServiceSettings.EnableReadReceipts',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'file_sharing_downloads', resource: 'site_file_sharing_and_downloads',
                title: defineMessage({id: 'admin.page.fileSharing', defaultMessage: 'File Sharing and Downloads'}),
                settings: [
                    s('FileSettings.EnableFileAttachments', 'bool', true, {
                        label: defineMessage({id: 'admin.FileSettings.EnableFileAttachments', defaultMessage: 'Allow File Sharing'}),
                    }),
                    s('FileSettings.EnableMobileUpload', 'bool', true, {
                        label: defineMessage({id: 'admin.FileSettings.EnableMobileUpload', defaultMessage: 'Allow File Uploads on Mobile'}),
                        dependsOn: 'FileSettings.EnableFileAttachments',
                    }),
                    s('FileSettings.EnableMobileDownload', 'bool', true, {
                        label: defineMessage({id: 'admin.FileSettings.EnableMobileDownload', defaultMessage: 'Allow File Downloads on Mobile'}),
                        dependsOn: 'FileSettings.EnableFileAttachments',
                    }),
                    s('FileSettings.EnablePublicLink', 'bool', false, {
                        label: defineMessage({id: 'admin.FileSettings.EnablePublicLink', defaultMessage: 'Enable Public File Links'}),
                        help: defineMessage({id: 'admin.FileSettings.EnablePublicLink.help', defaultMessage: 'People may share a link that opens a file without signing in.'}),
                    }),
                    s('FileSettings.ExtractContent', 'bool', true, {
                        label: defineMessage({id: 'admin.FileSettings.ExtractContent', defaultMessage: 'Enable Document Search by Content'}),
                    }),
                ],
            },
            {
                kind: 'settings', id: 'emoji', resource: 'site_emoji',
                title: defineMessage({id: 'admin.page.emoji', defaultMessage: 'Emoji'}),
                settings: [
                    s('ServiceSettings.EnableEmojiPicker', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableEmojiPicker', defaultMessage: 'Enable Emoji Picker'}),
                    }),
                    s('ServiceSettings.EnableCustomEmoji', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableCustomEmoji', defaultMessage: 'Enable Custom Emoji'}),
                        help: defineMessage({id: 'admin.ServiceSettings.EnableCustomEmoji.help', defaultMessage: 'People may upload their own emoji images.'}),
                    }),
                    s('ServiceSettings.EnableGifPicker', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableGifPicker', defaultMessage: 'Enable GIF Picker'}),
                    }),
                ],
            },
        ],
    },
    {
        id: 'authentication',
        title: defineMessage({id: 'admin.section.authentication', defaultMessage: 'Authentication'}),
        pages: [
            {
                kind: 'settings', id: 'signup', resource: 'authentication_signup',
                title: defineMessage({id: 'admin.page.signup', defaultMessage: 'Signup'}),
                settings: [
                    s('TeamSettings.EnableUserCreation', 'bool', true, {
                        label: defineMessage({id: 'admin.TeamSettings.EnableUserCreation', defaultMessage: 'Enable Account Creation'}),
                        help: defineMessage({id: 'admin.TeamSettings.EnableUserCreation.help', defaultMessage: 'New accounts may be created (admins can always create them).'}),
                    }),
                    s('TeamSettings.RestrictCreationToDomains', 'text', "", {
                        label: defineMessage({id: 'admin.TeamSettings.RestrictCreationToDomains', defaultMessage: 'Restrict New System and Team Members to Specified Email Domains'}),
                        help: defineMessage({id: 'admin.TeamSettings.RestrictCreationToDomains.help', defaultMessage: 'Comma-separated domains, e.g. corp.example.com, example.org. Empty allows any.'}),
                        dependsOn: 'TeamSettings.EnableUserCreation',
                    }),
                    s('TeamSettings.EnableOpenServer', 'bool', false, {
                        label: defineMessage({id: 'admin.TeamSettings.EnableOpenServer', defaultMessage: 'Enable Open Server'}),
                        help: defineMessage({id: 'admin.TeamSettings.EnableOpenServer.help', defaultMessage: 'Anyone may sign up without an invitation.'}),
                    }),
                ],
            },
            {
                kind: 'settings', id: 'email', resource: 'authentication_email',
                title: defineMessage({id: 'admin.page.authEmail', defaultMessage: 'Email'}),
                settings: [
                    s('EmailSettings.EnableSignUpWithEmail', 'bool', true, {
                        label: defineMessage({id: 'admin.EmailSettings.EnableSignUpWithEmail', defaultMessage: 'Enable Account Creation with Email'}),
                    }),
                    s('EmailSettings.RequireEmailVerification', 'bool', false, {
                        label: defineMessage({id: 'admin.EmailSettings.RequireEmailVerification', defaultMessage: 'Require Email Verification'}),
                        help: defineMessage({id: 'admin.EmailSettings.RequireEmailVerification.help', defaultMessage: 'New accounts must confirm their address before signing in.'}),
                    }),
                    s('EmailSettings.EnableSignInWithEmail', 'bool', true, {
                        label: defineMessage({id: 'admin.EmailSettings.EnableSignInWithEmail', defaultMessage: 'Enable Sign-In with Email'}),
                    }),
                    s('EmailSettings.EnableSignInWithUsername', 'bool', true, {
                        label: defineMessage({id: 'admin.EmailSettings.EnableSignInWithUsername', defaultMessage: 'Enable Sign-In with Username'}),
                    }),
                ],
            },
            {
                kind: 'settings', id: 'password', resource: 'authentication_password',
                title: defineMessage({id: 'admin.page.password', defaultMessage: 'Password'}),
                settings: [
                    s('PasswordSettings.MinimumLength', 'number', 8, {
                        label: defineMessage({id: 'admin.PasswordSettings.MinimumLength', defaultMessage: 'Minimum Password Length'}),
                        help: defineMessage({id: 'admin.PasswordSettings.MinimumLength.help', defaultMessage: 'Between 5 and 72 characters.'}),
                        validate: {min: 5, max: 72},
                    }),
                    s('PasswordSettings.Lowercase', 'bool', false, {
                        label: defineMessage({id: 'admin.PasswordSettings.Lowercase', defaultMessage: 'Require at Least One Lowercase Letter'}),
                    }),
                    s('PasswordSettings.Uppercase', 'bool', false, {
                        label: defineMessage({id: 'admin.PasswordSettings.Uppercase', defaultMessage: 'Require at Least One Uppercase Letter'}),
                    }),
                    s('PasswordSettings.Number', 'bool', false, {
                        label: defineMessage({id: 'admin.PasswordSettings.Number', defaultMessage: 'Require at Least One Number'}),
                    }),
                    s('PasswordSettings.Symbol', 'bool', false, {
                        label: defineMessage({id: 'admin.PasswordSettings.Symbol', defaultMessage: 'Require at Least One Symbol'}),
                    }),
                    s('PasswordSettings.EnableForgotLink', 'bool', true, {
                        label: defineMessage({id: 'admin.PasswordSettings.EnableForgotLink', defaultMessage: 'Enable Forgot Password Link'}),
                    }),
                    s('ServiceSettings.MaximumLoginAttempts', 'number', 10, {
                        label: defineMessage({id: 'admin.ServiceSettings.MaximumLoginAttempts', defaultMessage: 'Maximum Login Attempts'}),
                        help: defineMessage({id: 'admin.ServiceSettings.MaximumLoginAttempts.help', defaultMessage: 'Failed sign-ins allowed before the account is locked until its password is reset.'}),
                        validate: {min: 1},
                    }),
                ],
            },
            {
                kind: 'settings', id: 'mfa', resource: 'authentication_mfa',
                title: defineMessage({id: 'admin.page.mfa', defaultMessage: 'MFA'}),
                settings: [
                    s('ServiceSettings.EnableMultifactorAuthentication', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableMultifactorAuthentication', defaultMessage: 'Enable Multi-factor Authentication'}),
                        help: defineMessage({id: 'admin.ServiceSettings.EnableMultifactorAuthentication.help', defaultMessage: 'People with email or AD/LDAP sign-in may add a one-time code from an authenticator app.'}),
                    }),
                    s('ServiceSettings.EnforceMultifactorAuthentication', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnforceMultifactorAuthentication', defaultMessage: 'Enforce Multi-factor Authentication'}),
                        help: defineMessage({id: 'admin.ServiceSettings.EnforceMultifactorAuthentication.help', defaultMessage: 'Everyone must set up MFA before using the site.'}),
                        dependsOn: 'ServiceSettings.EnableMultifactorAuthentication',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'gitlab', resource: 'authentication_openid',
                title: defineMessage({id: 'admin.page.gitlab', defaultMessage: 'GitLab'}),
                settings: [
                    s('GitLabSettings.Enable', 'bool', false, {
                        label: defineMessage({id: 'admin.GitLabSettings.Enable', defaultMessage: 'Enable Authentication with GitLab'}),
                        help: defineMessage({id: 'admin.GitLabSettings.Enable.help', defaultMessage: 'Register an application in GitLab (User Settings → Applications, scope read_user) with the redirect URI <site URL>/signup/gitlab/complete.'}),
                    }),
                    s('GitLabSettings.Id', 'text', "", {
                        label: defineMessage({id: 'admin.GitLabSettings.Id', defaultMessage: 'Application ID'}),
                        dependsOn: 'GitLabSettings.Enable',
                    }),
                    s('GitLabSettings.Secret', 'secret', "", {
                        label: defineMessage({id: 'admin.GitLabSettings.Secret', defaultMessage: 'Application Secret Key'}),
                        help: defineMessage({id: 'admin.GitLabSettings.Secret.help', defaultMessage: 'Kept secret: type a new value to replace it.'}),
                        dependsOn: 'GitLabSettings.Enable',
                    }),
                    s('GitLabSettings.AuthEndpoint', 'text', "", {
                        label: defineMessage({id: 'admin.GitLabSettings.AuthEndpoint', defaultMessage: 'Auth Endpoint'}),
                        help: defineMessage({id: 'admin.GitLabSettings.AuthEndpoint.help', defaultMessage: 'https://<your-gitlab>/oauth/authorize'}),
                        validate: {url: true}, dependsOn: 'GitLabSettings.Enable',
                    }),
                    s('GitLabSettings.TokenEndpoint', 'text', "", {
                        label: defineMessage({id: 'admin.GitLabSettings.TokenEndpoint', defaultMessage: 'Token Endpoint'}),
                        help: defineMessage({id: 'admin.GitLabSettings.TokenEndpoint.help', defaultMessage: 'https://<your-gitlab>/oauth/token'}),
                        validate: {url: true}, dependsOn: 'GitLabSettings.Enable',
                    }),
                    s('GitLabSettings.UserAPIEndpoint', 'text', "", {
                        label: defineMessage({id: 'admin.GitLabSettings.UserAPIEndpoint', defaultMessage: 'User API Endpoint'}),
                        help: defineMessage({id: 'admin.GitLabSettings.UserAPIEndpoint.help', defaultMessage: 'https://<your-gitlab>/api/v4/user'}),
                        validate: {url: true}, dependsOn: 'GitLabSettings.Enable',
                    }),
                    s('GitLabSettings.ButtonText', 'text', "", {
                        label: defineMessage({id: 'admin.GitLabSettings.ButtonText', defaultMessage: 'Button Name'}),
                        help: defineMessage({id: 'admin.GitLabSettings.ButtonText.help', defaultMessage: 'The sign-in button\'s text. Empty shows "GitLab".'}),
                        dependsOn: 'GitLabSettings.Enable',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'openid', resource: 'authentication_openid',
                title: defineMessage({id: 'admin.page.openid', defaultMessage: 'OpenID Connect'}),
                settings: [
                    s('OpenIdSettings.Enable', 'bool', false, {
                        label: defineMessage({id: 'admin.OpenIdSettings.Enable', defaultMessage: 'Enable OpenID Connect'}),
                        help: defineMessage({id: 'admin.OpenIdSettings.Enable.help', defaultMessage: 'Sign in with any OpenID Connect provider (Keycloak, Okta, Authentik, …). Its redirect URI is <site URL>/signup/openid/complete.'}),
                    }),
                    s('OpenIdSettings.ButtonText', 'text', "", {
                        label: defineMessage({id: 'admin.OpenIdSettings.ButtonText', defaultMessage: 'Button Name'}),
                        dependsOn: 'OpenIdSettings.Enable',
                    }),
                    s('OpenIdSettings.ButtonColor', 'color', "", {
                        label: defineMessage({id: 'admin.OpenIdSettings.ButtonColor', defaultMessage: 'Button Color'}),
                        dependsOn: 'OpenIdSettings.Enable',
                    }),
                    s('OpenIdSettings.DiscoveryEndpoint', 'text', "", {
                        label: defineMessage({id: 'admin.OpenIdSettings.DiscoveryEndpoint', defaultMessage: 'Discovery Endpoint'}),
                        help: defineMessage({id: 'admin.OpenIdSettings.DiscoveryEndpoint.help', defaultMessage: 'https://<provider>/.well-known/openid-configuration'}),
                        validate: {url: true}, dependsOn: 'OpenIdSettings.Enable',
                    }),
                    s('OpenIdSettings.Id', 'text', "", {
                        label: defineMessage({id: 'admin.OpenIdSettings.Id', defaultMessage: 'Client ID'}),
                        dependsOn: 'OpenIdSettings.Enable',
                    }),
                    s('OpenIdSettings.Secret', 'secret', "", {
                        label: defineMessage({id: 'admin.OpenIdSettings.Secret', defaultMessage: 'Client Secret'}),
                        help: defineMessage({id: 'admin.OpenIdSettings.Secret.help', defaultMessage: 'Kept secret: type a new value to replace it.'}),
                        dependsOn: 'OpenIdSettings.Enable',
                    }),
                    s('OpenIdSettings.Scope', 'text', "openid profile email", {
                        label: defineMessage({id: 'admin.OpenIdSettings.Scope', defaultMessage: 'Scope'}),
                        dependsOn: 'OpenIdSettings.Enable',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'saml', resource: 'authentication_saml',
                title: defineMessage({id: 'admin.page.saml', defaultMessage: 'SAML 2.0'}),
                settings: [
                    s('SamlSettings.Enable', 'bool', false, {
                        label: defineMessage({id: 'admin.SamlSettings.Enable', defaultMessage: 'Enable Login With SAML 2.0'}),
                        help: defineMessage({id: 'admin.SamlSettings.Enable.help', defaultMessage: 'This server\'s metadata for the identity provider is at <site URL>/login/sso/saml/metadata.'}),
                    }),
                    s('SamlSettings.IdpMetadataURL', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.IdpMetadataURL', defaultMessage: 'Identity Provider Metadata URL'}),
                        validate: {url: true}, dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.IdpMetadataFile', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.IdpMetadataFile', defaultMessage: 'Identity Provider Metadata File'}),
                        help: defineMessage({id: 'admin.SamlSettings.IdpMetadataFile.help', defaultMessage: 'chinwag\'s own: a metadata XML file on the server instead of the URL.'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.IdpURL', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.IdpURL', defaultMessage: 'SAML SSO URL'}),
                        validate: {url: true}, dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.IdpDescriptorURL', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.IdpDescriptorURL', defaultMessage: 'Identity Provider Issuer URL'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.IdpCertificateFile', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.IdpCertificateFile', defaultMessage: 'Identity Provider Public Certificate'}),
                        help: defineMessage({id: 'admin.SamlSettings.IdpCertificateFile.help', defaultMessage: 'Path of the identity provider\'s certificate file on the server.'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.ServiceProviderIdentifier', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.ServiceProviderIdentifier', defaultMessage: 'Service Provider Identifier'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.AssertionConsumerServiceURL', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.AssertionConsumerServiceURL', defaultMessage: 'Service Provider Login URL'}),
                        help: defineMessage({id: 'admin.SamlSettings.AssertionConsumerServiceURL.help', defaultMessage: '<site URL>/login/sso/saml'}),
                        validate: {url: true}, dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.Verify', 'bool', true, {
                        label: defineMessage({id: 'admin.SamlSettings.Verify', defaultMessage: 'Verify Signature'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.Encrypt', 'bool', false, {
                        label: defineMessage({id: 'admin.SamlSettings.Encrypt', defaultMessage: 'Enable Encryption'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.SignRequest', 'bool', false, {
                        label: defineMessage({id: 'admin.SamlSettings.SignRequest', defaultMessage: 'Sign Request'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.PublicCertificateFile', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.PublicCertificateFile', defaultMessage: 'Service Provider Public Certificate'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.PrivateKeyFile', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.PrivateKeyFile', defaultMessage: 'Service Provider Private Key'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.EmailAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.EmailAttribute', defaultMessage: 'Email Attribute'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.UsernameAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.UsernameAttribute', defaultMessage: 'Username Attribute'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.IdAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.IdAttribute', defaultMessage: 'Id Attribute'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.FirstNameAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.FirstNameAttribute', defaultMessage: 'First Name Attribute'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.LastNameAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.LastNameAttribute', defaultMessage: 'Last Name Attribute'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.GuestAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.SamlSettings.GuestAttribute', defaultMessage: 'Guest Attribute'}),
                        help: defineMessage({id: 'admin.SamlSettings.GuestAttribute.help', defaultMessage: 'attribute=value making a guest, when guest access is on.'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                    s('SamlSettings.LoginButtonText', 'text', "SAML", {
                        label: defineMessage({id: 'admin.SamlSettings.LoginButtonText', defaultMessage: 'Login Button Text'}),
                        dependsOn: 'SamlSettings.Enable',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'ldap', resource: 'authentication_ldap',
                title: defineMessage({id: 'admin.page.ldap', defaultMessage: 'AD/LDAP'}),
                intro: defineMessage({id: 'admin.page.ldapIntro', defaultMessage: 'AD/LDAP Test and Synchronize Now use the saved settings: save your changes first.'}),
                actions: ['test_ldap', 'sync_ldap'],
                settings: [
                    s('LdapSettings.Enable', 'bool', false, {
                        label: defineMessage({id: 'admin.LdapSettings.Enable', defaultMessage: 'Enable Sign-in With AD/LDAP'}),
                    }),
                    s('LdapSettings.EnableSync', 'bool', false, {
                        label: defineMessage({id: 'admin.LdapSettings.EnableSync', defaultMessage: 'Enable Synchronization with AD/LDAP'}),
                        help: defineMessage({id: 'admin.LdapSettings.EnableSync.help', defaultMessage: 'Update accounts from the directory every synchronization interval, and deactivate those removed from it.'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.LoginFieldName', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.LoginFieldName', defaultMessage: 'Login Field Name'}),
                        help: defineMessage({id: 'admin.LdapSettings.LoginFieldName.help', defaultMessage: 'The placeholder of the sign-in field, e.g. "AD/LDAP Username".'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.LdapServer', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.LdapServer', defaultMessage: 'AD/LDAP Server'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.LdapPort', 'number', 389, {
                        label: defineMessage({id: 'admin.LdapSettings.LdapPort', defaultMessage: 'AD/LDAP Port'}),
                        validate: {min: 1, max: 65535}, dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.ConnectionSecurity', 'select', "", {
                        label: defineMessage({id: 'admin.LdapSettings.ConnectionSecurity', defaultMessage: 'Connection Security'}),
                        options: securityOptions, dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.SkipCertificateVerification', 'bool', false, {
                        label: defineMessage({id: 'admin.LdapSettings.SkipCertificateVerification', defaultMessage: 'Skip Certificate Verification'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.BaseDN', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.BaseDN', defaultMessage: 'Base DN'}),
                        help: defineMessage({id: 'admin.LdapSettings.BaseDN.help', defaultMessage: 'Where in the directory to look for users, e.g. ou=people,dc=corp,dc=example.'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.BindUsername', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.BindUsername', defaultMessage: 'Bind Username'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.BindPassword', 'secret', "", {
                        label: defineMessage({id: 'admin.LdapSettings.BindPassword', defaultMessage: 'Bind Password'}),
                        help: defineMessage({id: 'admin.LdapSettings.BindPassword.help', defaultMessage: 'Kept secret: type a new value to replace it.'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.UserFilter', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.UserFilter', defaultMessage: 'User Filter'}),
                        help: defineMessage({id: 'admin.LdapSettings.UserFilter.help', defaultMessage: 'An LDAP filter choosing who may sign in, e.g. (objectClass=user).'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.GuestFilter', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.GuestFilter', defaultMessage: 'Guest Filter'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.EnableAdminFilter', 'bool', false, {
                        label: defineMessage({id: 'admin.LdapSettings.EnableAdminFilter', defaultMessage: 'Enable Admin Filter'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.AdminFilter', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.AdminFilter', defaultMessage: 'Admin Filter'}),
                        dependsOn: 'LdapSettings.EnableAdminFilter',
                    }),
                    s('LdapSettings.IdAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.IdAttribute', defaultMessage: 'ID Attribute'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.LoginIdAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.LoginIdAttribute', defaultMessage: 'Login ID Attribute'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.UsernameAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.UsernameAttribute', defaultMessage: 'Username Attribute'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.EmailAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.EmailAttribute', defaultMessage: 'Email Attribute'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.FirstNameAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.FirstNameAttribute', defaultMessage: 'First Name Attribute'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.LastNameAttribute', 'text', "", {
                        label: defineMessage({id: 'admin.LdapSettings.LastNameAttribute', defaultMessage: 'Last Name Attribute'}),
                        dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.SyncIntervalMinutes', 'number', 60, {
                        label: defineMessage({id: 'admin.LdapSettings.SyncIntervalMinutes', defaultMessage: 'Synchronization Interval (minutes)'}),
                        validate: {min: 1}, dependsOn: 'LdapSettings.EnableSync',
                    }),
                    s('LdapSettings.QueryTimeout', 'number', 60, {
                        label: defineMessage({id: 'admin.LdapSettings.QueryTimeout', defaultMessage: 'Query Timeout (seconds)'}),
                        validate: {min: 1}, dependsOn: 'LdapSettings.Enable',
                    }),
                    s('LdapSettings.MaxPageSize', 'number', 0, {
                        label: defineMessage({id: 'admin.LdapSettings.MaxPageSize', defaultMessage: 'Maximum Page Size'}),
                        validate: {min: 0}, dependsOn: 'LdapSettings.Enable',
                    }),
                ],
            },
            {
                kind: 'settings', id: 'guest_access', resource: 'authentication_guest_access',
                title: defineMessage({id: 'admin.page.guestAccess', defaultMessage: 'Guest Access'}),
                settings: [
                    s('GuestAccountsSettings.Enable', 'bool', false, {
                        label: defineMessage({id: 'admin.GuestAccountsSettings.Enable', defaultMessage: 'Enable Guest Access'}),
                        help: defineMessage({id: 'admin.GuestAccountsSettings.Enable.help', defaultMessage: 'Guests see only the teams and channels they are added to.'}),
                    }),
                    s('GuestAccountsSettings.AllowEmailAccounts', 'bool', true, {
                        label: defineMessage({id: 'admin.GuestAccountsSettings.AllowEmailAccounts', defaultMessage: 'Allow Guests to Sign In with Email'}),
                        dependsOn: 'GuestAccountsSettings.Enable',
                    }),
                    s('GuestAccountsSettings.RestrictCreationToDomains', 'text', "", {
                        label: defineMessage({id: 'admin.GuestAccountsSettings.RestrictCreationToDomains', defaultMessage: 'Whitelisted Guest Domains'}),
                        dependsOn: 'GuestAccountsSettings.Enable',
                    }),
                    s('GuestAccountsSettings.EnforceMultifactorAuthentication', 'bool', false, {
                        label: defineMessage({id: 'admin.GuestAccountsSettings.EnforceMultifactorAuthentication', defaultMessage: 'Enforce Multi-factor Authentication for Guests'}),
                        dependsOn: 'GuestAccountsSettings.Enable',
                    }),
                ],
            },
        ],
    },
    {
        id: 'plugins',
        title: defineMessage({id: 'admin.section.plugins', defaultMessage: 'Plugins'}),
        pages: [
            {kind: 'custom', id: 'plugin_management', resource: 'plugins', view: 'plugins', title: defineMessage({id: 'admin.page.pluginManagement', defaultMessage: 'Plugin Management'})},
        ],
    },
    {
        id: 'integrations',
        title: defineMessage({id: 'admin.section.integrations', defaultMessage: 'Integrations'}),
        pages: [
            {
                kind: 'settings', id: 'integration_management', resource: 'integrations_integration_management',
                title: defineMessage({id: 'admin.page.integrationManagement', defaultMessage: 'Integration Management'}),
                settings: [
                    s('ServiceSettings.EnableIncomingWebhooks', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableIncomingWebhooks', defaultMessage: 'Enable Incoming Webhooks'}),
                    }),
                    s('ServiceSettings.EnableOutgoingWebhooks', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableOutgoingWebhooks', defaultMessage: 'Enable Outgoing Webhooks'}),
                    }),
                    s('ServiceSettings.EnableCommands', 'bool', true, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableCommands', defaultMessage: 'Enable Custom Slash Commands'}),
                    }),
                    s('ServiceSettings.EnableOAuthServiceProvider', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableOAuthServiceProvider', defaultMessage: 'Enable OAuth 2.0 Service Provider'}),
                        help: defineMessage({id: 'admin.ServiceSettings.EnableOAuthServiceProvider.help', defaultMessage: 'The server acts as an OAuth 2.0 service provider: external applications registered as OAuth apps may make API requests on behalf of the people who authorize them.'}),
                    }),
                    s('ServiceSettings.EnableDynamicClientRegistration', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableDynamicClientRegistration', defaultMessage: 'Enable OAuth 2.0 Dynamic Client Registration'}),
                        help: defineMessage({id: 'admin.ServiceSettings.EnableDynamicClientRegistration.help', defaultMessage: 'External applications may register themselves as OAuth 2.0 clients (POST /oauth/apps/register). Turn it on only when third-party applications need to register programmatically.'}),
                        dependsOn: 'ServiceSettings.EnableOAuthServiceProvider',
                    }),
                    s('ServiceSettings.DCRRedirectURIAllowlist', 'list', [], {
                        label: defineMessage({id: 'admin.ServiceSettings.DCRRedirectURIAllowlist', defaultMessage: 'DCR Redirect URI Allowlist'}),
                        help: defineMessage({id: 'admin.ServiceSettings.DCRRedirectURIAllowlist.help', defaultMessage: 'Optionally restrict the redirect URIs a dynamically registered client may use: patterns separated by spaces or commas, where * matches within a path segment and ** across segments. Empty: any.'}),
                        dependsOn: 'ServiceSettings.EnableDynamicClientRegistration', placeholder: 'https://app.example.com/**',
                    }),
                    s('ServiceSettings.EnablePostUsernameOverride', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnablePostUsernameOverride', defaultMessage: 'Enable Integrations to Override Usernames'}),
                    }),
                    s('ServiceSettings.EnablePostIconOverride', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnablePostIconOverride', defaultMessage: 'Enable Integrations to Override Profile Picture Icons'}),
                    }),
                    s('ServiceSettings.EnableUserAccessTokens', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableUserAccessTokens', defaultMessage: 'Enable Personal Access Tokens'}),
                    }),
                    s('ServiceSettings.OutgoingIntegrationRequestsTimeout', 'number', 30, {
                        label: defineMessage({id: 'admin.ServiceSettings.OutgoingIntegrationRequestsTimeout', defaultMessage: 'Integration Request Timeout (seconds)'}),
                        validate: {min: 1},
                    }),
                    s('ServiceSettings.AllowedUntrustedInternalConnections', 'text', "", {
                        label: defineMessage({id: 'admin.ServiceSettings.AllowedUntrustedInternalConnections', defaultMessage: 'Allow Untrusted Internal Connections To'}),
                        help: defineMessage({id: 'admin.ServiceSettings.AllowedUntrustedInternalConnections.help', defaultMessage: 'Space-separated hosts or CIDR ranges on the internal network that webhooks and link previews may reach.'}),
                    }),
                ],
            },
            {
                kind: 'settings', id: 'bot_accounts', resource: 'integrations_bot_accounts',
                title: defineMessage({id: 'admin.page.botAccounts', defaultMessage: 'Bot Accounts'}),
                settings: [
                    s('ServiceSettings.EnableBotAccountCreation', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.EnableBotAccountCreation', defaultMessage: 'Enable Bot Account Creation'}),
                    }),
                ],
            },
            {
                kind: 'settings', id: 'cors', resource: 'integrations_cors',
                title: defineMessage({id: 'admin.page.cors', defaultMessage: 'CORS'}),
                settings: [
                    s('ServiceSettings.AllowCorsFrom', 'text', "", {
                        label: defineMessage({id: 'admin.ServiceSettings.AllowCorsFrom', defaultMessage: 'Enable Cross-origin Requests From'}),
                        help: defineMessage({id: 'admin.ServiceSettings.AllowCorsFrom.help', defaultMessage: 'Space-separated origins allowed to call the API from a browser, or * for any.'}),
                    }),
                    s('ServiceSettings.CorsExposedHeaders', 'text', "", {
                        label: defineMessage({id: 'admin.ServiceSettings.CorsExposedHeaders', defaultMessage: 'CORS Exposed Headers'}),
                    }),
                    s('ServiceSettings.CorsAllowCredentials', 'bool', false, {
                        label: defineMessage({id: 'admin.ServiceSettings.CorsAllowCredentials', defaultMessage: 'CORS Allow Credentials'}),
                    }),
                ],
            },
        ],
    },
];

export const FIRST_PAGE = '/admin_console/user_management/users';

/** The page at /admin_console/<section>/<page>, or null. */
export function findPage(sectionId: string, pageId: string): {section: Section; page: Page} | null {
    const section = SECTIONS.find((x) => x.id === sectionId);
    const page = section?.pages.find((p) => p.id === pageId);
    return section && page ? {section, page} : null;
}

export function pagePath(section: Section, page: Page): string {
    return `/admin_console/${section.id}/${page.id}`;
}
