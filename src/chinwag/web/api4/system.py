"""/system/ping, client config and licence, server limits."""

from __future__ import annotations

from typing import Any

from chinwag import BUILD_NUMBER, MATTERMOST_VERSION
from chinwag.config import Config
from chinwag.model.errors import AppError
from chinwag.web.api4 import api
from chinwag.web.handler import W


@api.route("GET", "/system/ping", auth=False)
async def ping(w: W) -> Any:
    body: dict[str, Any] = {
        "status": "OK",
        "ActiveSearchBackend": "database",
        "AndroidLatestVersion": "",
        "AndroidMinVersion": "",
        "IosLatestVersion": "",
        "IosMinVersion": "",
    }
    if w.query_bool("get_server_status"):
        for key, healthy in (("database_status", await w.app.system.database_ok()),
                             ("filestore_status", await w.app.system.filestore_ok())):
            body[key] = "OK" if healthy else "UNHEALTHY"
            if not healthy:
                body["status"] = "UNHEALTHY"
        if body["status"] != "OK":
            return body, 500
    return body


@api.route("POST", "/system/local_events")
async def publish_local_events(w: W) -> Any:
    """chinwag's own, local mode only: another process on the server's machine (``chinwag import``
    with the embedded event stream) hands over the events it made, for this server's clients."""
    body = await w.json_any("events")
    events = body.get("events") if isinstance(body, dict) else None
    return {"published": w.app.system.publish_from_local(w.ctx, events)}


def _b(v: bool) -> str:
    return "true" if v else "false"


def client_config(cfg: Config, no_accounts: bool, diagnostic_id: str) -> dict[str, str]:
    s, t, e, f, p = cfg.ServiceSettings, cfg.TeamSettings, cfg.EmailSettings, cfg.FileSettings, cfg.PasswordSettings
    return {
        "Version": MATTERMOST_VERSION,
        "BuildNumber": BUILD_NUMBER,
        "BuildDate": "",
        "BuildHash": "chinwag",
        "BuildHashEnterprise": "none",
        "BuildEnterpriseReady": "false",
        "SiteName": t.SiteName,
        "SiteURL": s.SiteURL,
        "DiagnosticId": diagnostic_id,
        "DiagnosticsEnabled": "false",
        "TelemetryId": diagnostic_id,
        "NoAccounts": _b(no_accounts),
        "EnableSignUpWithEmail": _b(e.EnableSignUpWithEmail),
        "EnableSignInWithEmail": _b(e.EnableSignInWithEmail),
        "EnableSignInWithUsername": _b(e.EnableSignInWithUsername),
        "RequireEmailVerification": _b(e.RequireEmailVerification),
        "EnableOpenServer": _b(t.EnableOpenServer),
        "EnableUserCreation": _b(t.EnableUserCreation),
        "EnableUserDeactivation": _b(t.EnableUserDeactivation),
        "RestrictDirectMessage": t.RestrictDirectMessage,
        "TeammateNameDisplay": t.TeammateNameDisplay,
        "LockTeammateNameDisplay": _b(t.LockTeammateNameDisplay),
        "ExperimentalViewArchivedChannels": _b(t.ExperimentalViewArchivedChannels),
        "EnableConfirmNotificationsToChannel": _b(t.EnableConfirmNotificationsToChannel),
        "EnableCustomUserStatuses": _b(t.EnableCustomUserStatuses),
        "CollapsedThreads": s.CollapsedThreads,
        "ThreadAutoFollow": _b(s.ThreadAutoFollow),
        "EnableCommands": _b(s.EnableCommands),
        "EnableIncomingWebhooks": _b(s.EnableIncomingWebhooks),
        "EnableOutgoingWebhooks": _b(s.EnableOutgoingWebhooks),
        "EnablePostUsernameOverride": _b(s.EnablePostUsernameOverride),
        "EnablePostIconOverride": _b(s.EnablePostIconOverride),
        "EnableUserAccessTokens": _b(s.EnableUserAccessTokens),
        "EnableBotAccountCreation": _b(s.EnableBotAccountCreation),
        "EnableCustomEmoji": _b(s.EnableCustomEmoji),
        "EnableEmojiPicker": _b(s.EnableEmojiPicker),
        "EnableGifPicker": _b(s.EnableGifPicker),
        "EnableLinkPreviews": _b(s.EnableLinkPreviews),
        "EnableMultifactorAuthentication": _b(s.EnableMultifactorAuthentication),
        "EnforceMultifactorAuthentication": _b(s.EnforceMultifactorAuthentication),
        "EnableUserStatuses": _b(s.EnableUserStatuses),
        "EnableReadReceipts": _b(s.EnableReadReceipts),
        "ReadReceiptsMaxChannelMembers": str(s.ReadReceiptsMaxChannelMembers),
        "PostEditTimeLimit": str(s.PostEditTimeLimit),
        "EnableFileAttachments": _b(f.EnableFileAttachments),
        "EnablePublicLink": _b(f.EnablePublicLink),
        "MaxFileSize": str(f.MaxFileSize),
        "MaxPostSize": "16383",
        "PasswordMinimumLength": str(p.MinimumLength),
        "PasswordRequireLowercase": _b(p.Lowercase),
        "PasswordRequireUppercase": _b(p.Uppercase),
        "PasswordRequireNumber": _b(p.Number),
        "PasswordRequireSymbol": _b(p.Symbol),
        "PasswordEnableForgotLink": _b(p.EnableForgotLink),
        "ShowEmailAddress": _b(cfg.PrivacySettings.ShowEmailAddress),
        "ShowFullName": _b(cfg.PrivacySettings.ShowFullName),
        "EnableGitLab": _b(cfg.GitLabSettings.Enable),
        "EnableSaml": _b(cfg.SamlSettings.Enable),
        "SamlLoginButtonText": cfg.SamlSettings.LoginButtonText,
        "SamlLoginButtonColor": cfg.SamlSettings.LoginButtonColor,
        "SamlLoginButtonTextColor": cfg.SamlSettings.LoginButtonTextColor,
        "EnableLdap": _b(cfg.LdapSettings.Enable),
        "EnableGuestAccounts": _b(cfg.GuestAccountsSettings.Enable),
        "LdapLoginFieldName": cfg.LdapSettings.LoginFieldName,
        "EnableSignUpWithGitLab": _b(cfg.GitLabSettings.Enable),
        "GitLabButtonText": cfg.GitLabSettings.ButtonText,
        "GitLabButtonColor": cfg.GitLabSettings.ButtonColor,
        "EnableSignUpWithOpenId": _b(cfg.OpenIdSettings.Enable),
        "OpenIdButtonText": cfg.OpenIdSettings.ButtonText,
        "OpenIdButtonColor": cfg.OpenIdSettings.ButtonColor,
        "SendEmailNotifications": _b(e.SendEmailNotifications),
        "SendPushNotifications": _b(e.SendPushNotifications),
        "FeatureFlagCollapsedThreads": "true",
        "AboutLink": cfg.SupportSettings.AboutLink,
        "HelpLink": cfg.SupportSettings.HelpLink,
        "TermsOfServiceLink": cfg.SupportSettings.TermsOfServiceLink,
        "PrivacyPolicyLink": cfg.SupportSettings.PrivacyPolicyLink,
        "ReportAProblemLink": cfg.SupportSettings.ReportAProblemLink,
        "SupportEmail": cfg.SupportSettings.SupportEmail,
        "WebsocketURL": s.WebsocketURL,
        "WebsocketPort": "80",
        "WebsocketSecurePort": "443",
        "MaxNotificationsPerChannel": str(t.MaxNotificationsPerChannel),
        "EnableMetrics": _b(cfg.MetricsSettings.Enable),
        "EnableCluster": _b(cfg.ClusterSettings.Enable),
        "IsDefaultMarketplace": "false",
        "PluginsEnabled": _b(cfg.PluginSettings.Enable),
    }


@api.route("GET", "/config/client", auth=False)
async def get_client_config(w: W) -> Any:
    fmt = w.query("format")
    if fmt != "old":
        raise AppError("getClientConfig", "api.config.client.old_format.app_error",
                       "New format for the client configuration is not supported yet. Please specify "
                       "format=old in the query string.", 501)
    no_accounts = await w.app.system.no_accounts()
    cfg = client_config(w.app.config.config, no_accounts, w.app.system.diagnostic_id)
    if not w.ctx.session:
        keep = {"Version", "BuildNumber", "BuildDate", "BuildHash", "BuildHashEnterprise", "BuildEnterpriseReady",
                "SiteName", "SiteURL", "DiagnosticId", "TelemetryId", "DiagnosticsEnabled", "NoAccounts",
                "EnableSignUpWithEmail", "EnableSignInWithEmail", "EnableSignInWithUsername",
                "EnableOpenServer", "EnableUserCreation", "PasswordMinimumLength", "PasswordRequireLowercase",
                "PasswordRequireUppercase", "PasswordRequireNumber", "PasswordRequireSymbol",
                "PasswordEnableForgotLink", "EnableGitLab", "EnableSaml", "SamlLoginButtonText",
                "SamlLoginButtonColor", "SamlLoginButtonTextColor", "EnableLdap", "LdapLoginFieldName",
                "EnableSignUpWithGitLab", "GitLabButtonText", "GitLabButtonColor", "EnableSignUpWithOpenId",
                "OpenIdButtonText", "OpenIdButtonColor", "EnableMultifactorAuthentication", "AboutLink", "HelpLink",
                "TermsOfServiceLink", "PrivacyPolicyLink", "SupportEmail", "CollapsedThreads",
                "WebsocketURL", "WebsocketPort", "WebsocketSecurePort", "RequireEmailVerification"}
        cfg = {k: v for k, v in cfg.items() if k in keep}
    return cfg


@api.route("GET", "/license/client", auth=False)
async def get_client_license(w: W) -> Any:
    if w.query("format") != "old":
        raise AppError("getClientLicense", "api.license.client.old_format.app_error",
                       "New format for the client license is not supported yet. Please specify "
                       "format=old in the query string.", 501)
    return {"IsLicensed": "false"}


@api.route("GET", "/limits/server")
async def server_limits(w: W) -> Any:
    count = await w.app.system.active_user_count()
    return {"activeUserCount": count, "maxUsersLimit": 0, "maxUsersHardLimit": 0}
