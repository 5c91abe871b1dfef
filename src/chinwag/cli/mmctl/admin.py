"""mmctl's remaining command groups: `license`, `integrity`, `saml auth-data-reset`, `ldap idmigrate`,
`extract`, `group` (Enterprise: answered with Mattermost's error for an unlicensed server), `plugin`,
`completion` and `docs`. They speak Mattermost's REST API; what a server does not offer comes back as
its error."""

from __future__ import annotations

import datetime
import os
import time
from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, CliError, Ctx, command, confirm, die, raise_all

license_app = typer.Typer(help="Licensing commands", no_args_is_help=True)
saml_app = typer.Typer(help="SAML related utilities", no_args_is_help=True)
extract_app = typer.Typer(help="Management of content extraction job.", no_args_is_help=True)
extract_job = typer.Typer(help="List and show content extraction jobs", no_args_is_help=True)
extract_app.add_typer(extract_job, name="job")
group_app = typer.Typer(help="Management of groups", no_args_is_help=True)
group_channel = typer.Typer(help="Management of channel groups", no_args_is_help=True)
group_team = typer.Typer(help="Management of team groups", no_args_is_help=True)
group_user = typer.Typer(help="Management of user groups", no_args_is_help=True)
group_app.add_typer(group_channel, name="channel")
group_app.add_typer(group_team, name="team")
group_app.add_typer(group_user, name="user")
plugin_app = typer.Typer(help="Management of plugins", no_args_is_help=True)
marketplace_app = typer.Typer(help="Management of marketplace plugins", no_args_is_help=True)
plugin_app.add_typer(marketplace_app, name="marketplace")
completion_app = typer.Typer(help="Generates autocompletion scripts for bash and zsh", no_args_is_help=True)

LDAP_GROUPS = "Your license does not support LDAP groups."
NOT_LICENSED = {"api.context.404.app_error", "api.ldap_groups.license_error", "api.license_error",
                "ent.ldap.disabled.app_error"}


def licensed(c: Ctx, method: str, path: str, message: str, **kw: Any) -> Any:
    """An Enterprise endpoint: without a license (which chinwag never has) the answer is the license
    error Mattermost Team Edition gives, as the Go client prints it."""
    try:
        return c.client.request(method, path, **kw).json()
    except ApiError as e:
        if e.id in NOT_LICENSED or e.status == 501:
            raise CliError(f": {message}") from None
        raise


# license -----------------------------------------------------------------------------------------


def _upload_license(c: Ctx, data: bytes) -> None:
    try:
        c.client.request("POST", "/license", content=data, headers={"Content-Type": "application/octet-stream"})
    except ApiError as e:
        if e.status in (404, 501):
            raise CliError(": Invalid license file., this server cannot use a Mattermost license") from None
        raise
    c.p.print("Uploaded license file")


@command(license_app, "upload")
def license_upload(c: Ctx, path: str = typer.Argument(..., help="The license file.")) -> None:
    """Upload a license. Replaces current license."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        die(f"open {path}: {(e.strerror or str(e)).lower()}")
    _upload_license(c, data)


@command(license_app, "upload-string")
def license_upload_string(c: Ctx, license_: str = typer.Argument(..., metavar="LICENSE",
                                                                  help="The license as a string.")) -> None:
    """Upload a license from a string. Replaces current license."""
    _upload_license(c, license_.encode())


@command(license_app, "remove")
def license_remove(c: Ctx) -> None:
    """Remove the current license and use Mattermost in Team Edition."""
    try:
        c.client.request("DELETE", "/license")
    except ApiError as e:
        if e.status not in (404, 501):
            raise
    c.p.print("Removed license")


# integrity ---------------------------------------------------------------------------------------


def integrity(c: Ctx, confirm_: bool = typer.Option(False, "--confirm", help="Confirm you really want to run a "
                                                    "complete integrity check that may temporarily harm system "
                                                    "performance"),
              verbose: bool = typer.Option(False, "--verbose", "-v", help="Show detailed information on integrity "
                                           "check results")) -> None:
    """Check database records integrity."""
    if not confirm_:
        confirm("This check may harm performance on live systems. Are you sure you want to proceed?", False)
    try:
        results = c.client.post("/integrity")
    except ApiError as e:
        die(f"unable to perform integrity check. Error: {e}")
    errors: list[Exception] = []
    for result in results:
        if result.get("err"):
            errors.append(CliError(str(result["err"])))
            c.p.error(str(result["err"]))
            continue
        d = result.get("data") or {}
        records = d.get("records") or []
        c.p.print_t(f"Found {len(records)} in relation {d.get('child_name')} orphans of relation "
                    f"{d.get('parent_name')}", d)
        if verbose:
            for rec in records:
                parent = "NULL" if rec.get("parent_id") is None else rec["parent_id"] or "empty"
                attr = f"({d.get('child_name')}.{d.get('parent_id_attr')})"
                child = rec.get("child_id")
                missing = parent in ("NULL", "empty")
                if child is not None:
                    head = f"  Child {child} ({d.get('child_name')}.{d.get('child_id_attr')})"
                    typer.echo(f"{head} has {parent} ParentIdAttr {attr}" if missing
                               else f"{head} is missing Parent {parent} {attr}")
                else:
                    typer.echo(f"  Child has {parent} ParentIdAttr {attr}" if missing
                               else f"  Child is missing Parent {parent} {attr}")
    raise_all(errors)


# saml --------------------------------------------------------------------------------------------


@command(saml_app, "auth-data-reset")
def saml_auth_data_reset(c: Ctx, include_deleted: bool = typer.Option(False, "--include-deleted",
                                                                      help="Include deleted users"),
                         dry_run: bool = typer.Option(False, "--dry-run", help="Dry run only"),
                         yes: bool = typer.Option(False, "--yes", "-y", help="Skip confirmation"),
                         users: list[str] = typer.Option([], "--users", help="Comma-separated list of user IDs to "
                                                         "which the operation will be applied")) -> None:
    """Reset AuthData field to Email"""
    if not dry_run and not yes:
        confirm("This action is irreversible. Are you sure you want to continue?", False)
    ids = [u for arg in users for u in arg.split(",") if u]
    r = c.client.post("/saml/reset_auth_data", {"include_deleted": include_deleted, "dry_run": dry_run,
                                                "user_ids": ids})
    n = r.get("num_affected", 0) if isinstance(r, dict) else r
    c.p.print(f"{n} user records {'would be affected' if dry_run else 'were changed'}.\n")


# ldap idmigrate ----------------------------------------------------------------------------------


def ldap_idmigrate(c: Ctx, attribute: str = typer.Argument(..., help="The new IdAttribute.")) -> None:
    """Migrate LDAP IdAttribute to new value"""
    c.client.post("/ldap/migrateid", {"toAttribute": attribute})
    c.p.print(f"AD/LDAP IdAttribute migration complete. You can now change your IdAttribute to: {attribute}")


# extract -----------------------------------------------------------------------------------------


def _go_time(ms: int) -> str:
    t = datetime.datetime.fromtimestamp(ms // 1000).astimezone()
    off = t.strftime("%z")
    return t.strftime("%Y-%m-%d %H:%M:%S ") + off + " " + (t.tzname() or "")


def job_text(job: dict[str, Any], extract: bool = False) -> str:
    """mmctl's printJob (and printExtractContentJob)."""
    head = f"  ID: {job['id']}\n  Status: {job['status']}\n  Created: {_go_time(job['create_at'])}\n"
    if not job.get("start_at"):
        return head + ("\n" if extract else "")
    data = job.get("data") or {}
    if extract:
        return (head + f"  Started: {_go_time(job['start_at'])}\n  Processed: {data.get('processed', '')}\n"
                f"  Errors: {data.get('errors', '')}\n")
    return head + f"  Started: {_go_time(job['start_at'])}\n  Data: map[" + \
        " ".join(f"{k}:{data[k]}" for k in sorted(data)) + "]\n"


@command(extract_app, "run")
def extract_run(c: Ctx, from_: int = typer.Option(0, "--from", help="The timestamp of the earliest file to "
                                                  "extract, expressed in seconds since the unix epoch."),
                to: int = typer.Option(0, "--to", help="The timestamp of the latest file to extract, expressed in "
                                       "seconds since the unix epoch. Defaults to the current time.")) -> None:
    """Start a content extraction job."""
    to = to or int(time.time())
    try:
        job = c.client.post("/jobs", {"type": "extract_content", "data": {"from": str(from_), "to": str(to)}})
    except CliError as e:
        die(f"failed to create content extraction job: {e}")
    c.p.print_t(f"Content extraction job successfully created, ID: {job['id']}", job)


@command(extract_job, "show")
def extract_job_show(c: Ctx, job_id: str = typer.Argument(..., help="The job's id.")) -> None:
    """Show extract job"""
    try:
        job = c.client.get(f"/jobs/{job_id}")
    except ApiError as e:
        die(f"failed to get content extraction job: {e}")
    c.p.print_t(job_text(job, extract=True), job)


@command(extract_job, "list")
def extract_job_list(c: Ctx, page: int = typer.Option(0, "--page", help="Page number to fetch for the list of "
                                                      "extract jobs"),
                     per_page: int = typer.Option(200, "--per-page", help="Number of extract jobs to be fetched"),
                     all_: bool = typer.Option(False, "--all", help="Fetch all extract jobs. --page flag will be "
                                               "ignore if provided")) -> None:
    """List extract jobs"""
    job_list(c, "extract_content", page, per_page, all_, extract=True)


def job_list(c: Ctx, job_type: str, page: int, per_page: int, all_: bool, extract: bool = False) -> None:
    if all_:
        page = 0
    jobs: list[dict[str, Any]] = []
    while True:
        batch = c.client.get(f"/jobs/type/{job_type}", params={"page": page, "per_page": per_page})
        jobs += batch
        if not all_ or len(batch) < per_page:
            break
        page += 1
    if not jobs:
        if not c.json:
            c.p.print("No jobs found")
        return
    for j in jobs:
        c.p.print_t(job_text(j, extract), j)


# group (Enterprise: AD/LDAP groups) ---------------------------------------------------------------


@command(group_app, "list-ldap")
def group_list_ldap(c: Ctx) -> None:
    """List LDAP groups"""
    for g in licensed(c, "GET", "/ldap/groups", LDAP_GROUPS, params={"page": 0, "per_page": 200}).get("groups", []):
        c.p.print_t(g.get("display_name", ""), g)


def _group_target(c: Ctx, kind: str, arg: str) -> dict[str, Any]:
    found = lookup.team_or_none(c.client, arg) if kind == "team" else lookup.channel_or_none(c.client, arg)
    return lookup.or_die(found, f"Unable to find {kind} '{arg}'")


def _constrained(c: Ctx, kind: str, arg: str, value: bool | None) -> None:
    target = _group_target(c, kind, arg)
    plural = "teams" if kind == "team" else "channels"
    groups = licensed(c, "GET", f"/{plural}/{target['id']}/groups", LDAP_GROUPS,
                      params={"page": 0, "per_page": 10})
    if value is None:
        c.p.single = True
        c.p.print("Enabled" if target.get("group_constrained") else "Disabled")
        return
    if value and not (groups.get("groups") if isinstance(groups, dict) else groups):
        die(f"{kind.capitalize()} '{arg}' has no groups associated. It cannot be group-constrained")
    licensed(c, "PUT", f"/{plural}/{target['id']}/patch", LDAP_GROUPS, json_body={"group_constrained": value})


def _group_list(c: Ctx, kind: str, arg: str) -> None:
    target = _group_target(c, kind, arg)
    plural = "teams" if kind == "team" else "channels"
    groups = licensed(c, "GET", f"/{plural}/{target['id']}/groups", LDAP_GROUPS)
    for g in groups.get("groups", []) if isinstance(groups, dict) else groups:
        c.p.print_t(g.get("display_name", ""), g)


@command(group_channel, "enable")
def group_channel_enable(c: Ctx, channel: str = typer.Argument(..., help="team:channel.")) -> None:
    """Enables group constrains in the specified channel"""
    _constrained(c, "channel", channel, True)


@command(group_channel, "disable")
def group_channel_disable(c: Ctx, channel: str = typer.Argument(..., help="team:channel.")) -> None:
    """Disables group constrains in the specified channel"""
    _constrained(c, "channel", channel, False)


@command(group_channel, "status")
def group_channel_status(c: Ctx, channel: str = typer.Argument(..., help="team:channel.")) -> None:
    """Show the group constrain status for the specified channel"""
    _constrained(c, "channel", channel, None)


@command(group_channel, "list")
def group_channel_list(c: Ctx, channel: str = typer.Argument(..., help="team:channel.")) -> None:
    """List channel groups"""
    _group_list(c, "channel", channel)


@command(group_team, "enable")
def group_team_enable(c: Ctx, team: str = typer.Argument(..., help="Team name or id.")) -> None:
    """Enables group constrains in the specified team"""
    _constrained(c, "team", team, True)


@command(group_team, "disable")
def group_team_disable(c: Ctx, team: str = typer.Argument(..., help="Team name or id.")) -> None:
    """Disables group constrains in the specified team"""
    _constrained(c, "team", team, False)


@command(group_team, "status")
def group_team_status(c: Ctx, team: str = typer.Argument(..., help="Team name or id.")) -> None:
    """Show the group constrain status for the specified team"""
    _constrained(c, "team", team, None)


@command(group_team, "list")
def group_team_list(c: Ctx, team: str = typer.Argument(..., help="Team name or id.")) -> None:
    """List team groups"""
    _group_list(c, "team", team)


@command(group_user, "restore")
def group_user_restore(c: Ctx, group: str = typer.Argument(..., help="The group's id.")) -> None:
    """Restore user group"""
    licensed(c, "POST", f"/groups/{group}/restore", "Your license does not support custom user groups.")
    c.p.print(f"Group successfully restored with ID: {group}")


# plugin ------------------------------------------------------------------------------------------


@command(plugin_app, "add")
def plugin_add(c: Ctx, paths: list[str] = typer.Argument(..., help="Plugin bundles (.tar.gz)."),
               force: bool = typer.Option(False, "--force", "-f", help="overwrite a previously installed plugin "
                                          "with the same ID, if any")) -> None:
    """Add plugins"""
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            die(f"open {path}: {(e.strerror or str(e)).lower()}")
        try:
            r = c.client.http.post("/api/v4/plugins", files={"plugin": (os.path.basename(path), data)},
                                   data={"force": "true" if force else "false"})
            if r.status_code not in (200, 201):
                raise ApiError(r)
        except ApiError as e:
            c.p.error(f"Unable to add plugin: {path}. Error: {e}")
            continue
        c.p.print(f"Added plugin: {path}")


@command(plugin_app, "install-url")
def plugin_install_url(c: Ctx, urls: list[str] = typer.Argument(..., help="Plugin bundle URLs."),
                       force: bool = typer.Option(False, "--force", "-f", help="overwrite a previously installed "
                                                  "plugin with the same ID, if any")) -> None:
    """Install plugin from url"""
    for url in urls:
        try:
            manifest = c.client.post("/plugins/install_from_url", params={"plugin_download_url": url,
                                                                          "force": str(force).lower()})
        except ApiError as e:
            c.p.error(f"Unable to install plugin from URL \"{url}\". Error: {e}")
            continue
        c.p.print_t(f"Plugin {manifest.get('name', '')} successfully installed", manifest)


def _each_plugin(c: Ctx, ids: list[str], path: str, verb: str, past: str) -> None:
    for pid in ids:
        try:
            c.client.request("DELETE" if verb == "delete" else "POST", path.format(pid))
        except ApiError as e:
            c.p.error(f"Unable to {verb} plugin: {pid}. Error: {e}")
            continue
        c.p.print(f"{past} plugin: {pid}")


@command(plugin_app, "delete")
def plugin_delete(c: Ctx, ids: list[str] = typer.Argument(..., help="Plugin ids.")) -> None:
    """Delete plugins"""
    _each_plugin(c, ids, "/plugins/{}", "delete", "Deleted")


@command(plugin_app, "enable")
def plugin_enable(c: Ctx, ids: list[str] = typer.Argument(..., help="Plugin ids.")) -> None:
    """Enable plugins"""
    _each_plugin(c, ids, "/plugins/{}/enable", "enable", "Enabled")


@command(plugin_app, "disable")
def plugin_disable(c: Ctx, ids: list[str] = typer.Argument(..., help="Plugin ids.")) -> None:
    """Disable plugins"""
    _each_plugin(c, ids, "/plugins/{}/disable", "disable", "Disabled")


def _plugin_line(p: dict[str, Any]) -> str:
    m = p.get("manifest") or p
    return f"{m.get('id', '')}: {m.get('name', '')}, Version: {m.get('version', '')}"


@command(plugin_app, "list")
def plugin_list(c: Ctx) -> None:
    """List plugins"""
    try:
        resp = c.client.get("/plugins")
    except ApiError as e:
        die(f"Unable to list plugins. Error: {e}")
    if c.json:
        c.p.print_t("", resp)
        return
    c.p.print("Listing enabled plugins")
    for p in resp.get("active") or []:
        c.p.print_t(_plugin_line(p), p)
    c.p.print("Listing disabled plugins")
    for p in resp.get("inactive") or []:
        c.p.print_t(_plugin_line(p), p)


@command(marketplace_app, "install")
def marketplace_install(c: Ctx, plugin_id: str = typer.Argument(..., help="The plugin's id."),
                        version: str = typer.Argument("", help="The version (default: the latest).")) -> None:
    """Install a plugin from the Marketplace"""
    try:
        manifest = c.client.post("/plugins/marketplace", {"id": plugin_id, "version": version})
    except ApiError as e:
        die(f"couldn't install plugin from marketplace: {e}")
    c.p.print_t(f"Plugin {manifest.get('name', '')} successfully installed", manifest)


@command(marketplace_app, "list")
def marketplace_list(c: Ctx, page: int = typer.Option(0, "--page", help="Page number to fetch for the list of "
                                                      "users"),
                     per_page: int = typer.Option(200, "--per-page", help="Number of users to be fetched"),
                     all_: bool = typer.Option(False, "--all", help="Fetch all plugins. --page flag will be ignore "
                                               "if provided"),
                     filter_: str = typer.Option("", "--filter", help="Filter plugins by ID, name or description"),
                     local_only: bool = typer.Option(False, "--local-only", help="Only retrieve local plugins")
                     ) -> None:
    """List marketplace plugins"""
    if all_:
        page = 0
    while True:
        try:
            batch = c.client.get("/plugins/marketplace", params={"page": page, "per_page": per_page,
                                                                 "filter": filter_,
                                                                 "local_only": str(local_only).lower()})
        except ApiError as e:
            die(f"Failed to fetch plugins: {e}")
        for p in batch:
            c.p.print_t(_plugin_line(p), p)
        if not all_ or len(batch) < per_page:
            break
        page += 1


# completion and docs ------------------------------------------------------------------------------


def _root_command() -> Any:
    """The whole command tree (the root of the running command's context), without importing the
    entry point that imports this module."""
    from typer._click.globals import get_current_context

    return get_current_context().find_root().command


def _completion(shell: str) -> None:
    import sys

    from typer._click.shell_completion import get_completion_class
    from typer._completion_classes import completion_init

    completion_init()
    prog = os.path.basename(sys.argv[0]) or "mmctl"
    cls = get_completion_class(shell)
    if cls is None:
        die(f"no completion for {shell}")
    var = "_" + prog.replace("-", "_").upper() + "_COMPLETE"
    typer.echo(cls(_root_command(), {}, prog, var).source())


@completion_app.command("bash")
def completion_bash() -> None:
    """Generates the bash autocompletion scripts (source it from ~/.bashrc)"""
    _completion("bash")


@completion_app.command("zsh")
def completion_zsh() -> None:
    """Generates the zsh autocompletion scripts (source it from ~/.zshrc)"""
    _completion("zsh")


@completion_app.command("fish")
def completion_fish() -> None:
    """Generates the fish autocompletion scripts"""
    _completion("fish")


def docs(directory: str = typer.Option("docs", "--directory", "-d", help="The directory where the docs would be "
                                       "generated in.")) -> None:
    """Generates mmctl documentation: one reStructuredText page per command."""
    os.makedirs(directory, exist_ok=True)
    root = _root_command()

    def walk(cmd: Any, path: list[str]) -> None:
        name = " ".join(path)
        ref = "_".join(path)
        lines = [f".. _{ref}:", "", name, "-" * len(name), "", (cmd.help or "").split("\n")[0], "",
                 "Synopsis", "~~~~~~~~", "", cmd.help or "", ""]
        opts = [p for p in cmd.params if getattr(p, "param_type_name", "") == "option" and not p.hidden]
        if opts:
            lines += ["Options", "~~~~~~~", "", "::", ""]
            for p in opts:
                lines.append(f"  {', '.join(p.opts):<30} {p.help or ''}")
            lines.append("")
        subs = getattr(cmd, "commands", {})
        if subs:
            lines += ["SEE ALSO", "~~~~~~~~", ""]
            for sub_name, sub in sorted(subs.items()):
                if not sub.hidden:
                    lines.append(f"* `{name} {sub_name} <{ref}_{sub_name}.rst>`_ \t - "
                                 f"{(sub.help or '').splitlines()[0] if sub.help else ''}")
            lines.append("")
        with open(os.path.join(directory, ref + ".rst"), "w") as fh:
            fh.write("\n".join(lines) + "\n")
        for sub_name, sub in subs.items():
            if not sub.hidden:
                walk(sub, [*path, sub_name])

    walk(root, ["mmctl"])
