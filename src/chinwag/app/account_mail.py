"""The text of account mail — password reset, password changed, email verification, welcome and team
invitation — with Mattermost's links (``/reset_password_complete?token=``, ``/do_verify_email?token=&email=``,
``/signup_user_complete/?d=&t=``) and its English wording, in the reader's language (``t``: the account
owner's locale; for an invitation, the inviter's — the invited person has no account yet)."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from chinwag import i18n
from chinwag.config import Config
from chinwag.mail.sender import OutgoingMail
from chinwag.mail.templates import render
from chinwag.model.user import User


def translator_for(cfg: Config, user: User | None) -> i18n.Translator:
    """The language of a mail to ``user`` (their ``locale``, else LocalizationSettings.DefaultServerLocale)."""
    return i18n.translator(i18n.pick(user.locale if user else "", cfg.LocalizationSettings.DefaultServerLocale))


def _mail(t: i18n.Translator, cfg: Config, to: str, subject: str, title: str, info: str, url: str = "",
          label: str = "", footer: str = "") -> OutgoingMail:
    footer = footer or t("This email was sent by {site}.", {"site": _site_name(cfg)})
    values = {"lang": t.locale, "subject": subject, "title": title, "info": info, "footer": footer}
    html_button = render("account_button.html", {"url": url, "label": label}) if url else ""
    text_button = f"\n{label}: {url}\n" if url else ""
    return OutgoingMail(to, subject, render("account.txt", values, {"button": text_button}),
                        render("account.html", values, {"button": html_button}))


def _site_name(cfg: Config) -> str:
    return cfg.TeamSettings.SiteName or "chinwag"


def password_reset(t: i18n.Translator, cfg: Config, site_url: str, to: str, token: str) -> OutgoingMail:
    link = f"{site_url.rstrip('/')}/reset_password_complete?token={quote(token, safe='')}"
    return _mail(t, cfg, to, t("[{site}] Reset your password", {"site": _site_name(cfg)}), t("Reset Your Password"),
                 t("Click the button below to reset your password. If you didn't request this, you can safely "
                   "ignore this email. The password reset link expires in 24 hours."), link, t("Reset Password"))


#: how a password was changed, for ``password_changed``
BY_RESET_LINK = i18n.N_("using a reset password link")


def password_changed(t: i18n.Translator, cfg: Config, site_url: str, to: str, method: str) -> OutgoingMail:
    name = _site_name(cfg)
    return _mail(t, cfg, to, t("[{site}] Your password has been updated", {"site": name}), t("You updated your password"),
                 t("Your password has been updated for {site} on {url} by {method}.",
                   {"site": name, "url": site_url.rstrip("/"), "method": t(method)}),
                 footer=t("If this change wasn't initiated by you, please contact your system administrator."))


def verify_link(site_url: str, token: str, email: str, redirect: str = "") -> str:
    link = f"{site_url.rstrip('/')}/do_verify_email?token={token}&email={quote(email, safe='')}"
    return link + (f"&redirect_to={redirect}" if redirect else "")


def verify_email(t: i18n.Translator, cfg: Config, site_url: str, to: str, token: str, redirect: str = "") -> OutgoingMail:
    return _mail(t, cfg, to, t("[{site}] Email Verification", {"site": _site_name(cfg)}), t("Verify your email address"),
                 t("Thanks for joining {url}. This email address was used to create an account; "
                   "if it was not you, you can safely ignore this email.", {"url": site_url.rstrip("/")}),
                 verify_link(site_url, token, to, redirect), t("Verify Email"))


def welcome(t: i18n.Translator, cfg: Config, site_url: str, to: str, verify_url: str) -> OutgoingMail:
    """The sign-up mail; with ``verify_url`` (RequireEmailVerification) its button verifies the address."""
    server = site_url.rstrip("/").split("://", 1)[-1]
    info = (t("Your account on {server} is ready. Please verify your email address to sign in.", {"server": server})
            if verify_url else t("Your account on {server} is ready.", {"server": server}))
    return _mail(t, cfg, to, t("[{site}] You joined {server}", {"site": _site_name(cfg), "server": server}),
                 t("Welcome to the team"), info, verify_url or site_url.rstrip("/"),
                 t("Verify Email") if verify_url else t("Open {site}", {"site": _site_name(cfg)}))


def team_invite(t: i18n.Translator, cfg: Config, site_url: str, to: str, sender: str, team_display: str,
                team_name: str, token: str) -> OutgoingMail:
    d = json.dumps({"display_name": team_display, "email": to, "name": team_name}, separators=(",", ":"))
    link = f"{site_url.rstrip('/')}/signup_user_complete/?{urlencode({'d': d, 't': token, 'md': 'email'})}"
    values = {"site": _site_name(cfg), "sender": sender, "team": team_display}
    return _mail(t, cfg, to, t("[{site}] {sender} invited you to join {team} Team", values),
                 t("{sender} invited you to join the {team} team.", values),
                 t("Start collaborating with your team."), link, t("Join now"))
