"""mmctl's plugin commands (`plugin add|install-url|enable|disable|delete|list`) with the installed
binary against a real server in local mode, a bundle built on the spot and served on loopback."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator

import httpx
import pytest

from tests.cli.conftest import LocalServer
from tests.plugins.bundles import REJECT, bundle
from tests.procs import free_port

PREPACKAGED = ["com.github.manland.mattermost-plugin-gitlab: GitLab, Version: 1.9.0",
               "com.mattermost.calls: Calls, Version: 1.0.0", "memes: Memes, Version: 1.2.0"]


@pytest.fixture(scope="module")
def files(local_server: LocalServer) -> Iterator[tuple[str, str]]:
    """The bundle as a file (for `plugin add`) and as a URL on a loopback HTTP server (for install-url)."""
    folder = os.path.join(local_server.home, "bundles")
    os.makedirs(folder)
    with open(os.path.join(folder, "censor.tar.gz"), "wb") as fh:
        fh.write(bundle("com.example.censor", REJECT))
    with open(os.path.join(folder, "censor2.tar.gz"), "wb") as fh:
        fh.write(bundle("com.example.censor", REJECT, version="2.0.0"))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a: object, **kw: object) -> None:
            super().__init__(*a, directory=folder, **kw)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield os.path.join(folder, "censor.tar.gz"), f"http://127.0.0.1:{port}/censor2.tar.gz"
    httpd.shutdown()


def test_plugin_commands(local_server: LocalServer, files: tuple[str, str]) -> None:
    s = local_server
    path, url = files
    assert s.ok("plugin", "list").out == "Listing enabled plugins\nListing disabled plugins\n" + \
        "".join(line + "\n" for line in PREPACKAGED)
    # uploads are off by default: each failure is reported, mmctl still exits 0
    r = s.run("plugin", "add", path)
    assert r.out == "" and r.err.startswith(f"Unable to add plugin: {path}. Error: : Plugins and/or plugin uploads "
                                            "have been disabled.")
    s.ok("config", "set", "PluginSettings.EnableUploads", "true")
    assert s.ok("plugin", "add", path).out == f"Added plugin: {path}\n"
    r = s.run("plugin", "add", path)
    assert "A plugin with the same ID is already installed." in r.err
    assert s.ok("plugin", "enable", "com.example.censor").out == "Enabled plugin: com.example.censor\n"
    assert s.ok("plugin", "list").out == ("Listing enabled plugins\ncom.example.censor: Com.Example.Censor, Version: "
                                          "1.0.0\nListing disabled plugins\n" + "".join(p + "\n" for p in PREPACKAGED))
    [listed] = s.ok_json("plugin", "list")  # mmctl prints its one result as a JSON array
    assert [p["id"] for p in listed["active"]] == ["com.example.censor"]

    # install-url goes through the outbound guard: loopback only once allowed
    r = s.run("plugin", "install-url", url, "--force")
    assert r.err.startswith(f'Unable to install plugin from URL "{url}". Error: : An error occurred while '
                            "downloading the plugin.")
    s.ok("config", "set", "ServiceSettings.AllowedUntrustedInternalConnections", "127.0.0.1")
    r = s.run("plugin", "install-url", url)
    assert "A plugin with the same ID is already installed." in r.err
    assert s.ok("plugin", "install-url", url, "--force").out == \
        "Plugin Com.Example.Censor successfully installed\n"
    statuses = httpx.Client(transport=httpx.HTTPTransport(uds=s.socket)).get("http://_/api/v4/plugins/statuses").json()
    censor = next(x for x in statuses if x["plugin_id"] == "com.example.censor")
    assert censor["version"] == "2.0.0" and censor["state"] == 2

    assert s.ok("plugin", "disable", "com.example.censor").out == "Disabled plugin: com.example.censor\n"
    assert s.ok("plugin", "delete", "com.example.censor").out == "Deleted plugin: com.example.censor\n"
    r = s.run("plugin", "delete", "com.example.censor")
    assert r.err.startswith("Unable to delete plugin: com.example.censor. Error: : Plugin is not installed.")
    r = s.run("plugin", "enable", "com.example.nothing")
    assert r.err.startswith("Unable to enable plugin: com.example.nothing. Error: : Plugin is not installed.")
    assert s.ok("plugin", "list").out == "Listing enabled plugins\nListing disabled plugins\n" + \
        "".join(line + "\n" for line in PREPACKAGED)
