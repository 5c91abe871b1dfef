"""A real OpenLDAP slapd (Debian's, apt-installed when missing) on a free loopback port with a small
directory under dc=corp,dc=example, for the AD/LDAP tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import ldap3

from tests.procs import free_port

SLAPD = "/usr/sbin/slapd"
BASE = "dc=corp,dc=example"
ROOT_DN, ROOT_PW = f"cn=admin,{BASE}", "admin-secret"
PEOPLE = f"ou=people,{BASE}"


def ensure_slapd() -> bool:
    if Path(SLAPD).exists():
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "slapd"], env=env,
                   capture_output=True, check=False)
    return Path(SLAPD).exists()


class Slapd:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="chinwag-slapd-")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Slapd:
        db = os.path.join(self.dir, "db")
        os.makedirs(db)
        conf = os.path.join(self.dir, "slapd.conf")
        Path(conf).write_text("\n".join([
            *(f"include /etc/ldap/schema/{s}.schema" for s in ("core", "cosine", "inetorgperson", "nis")),
            f"pidfile {self.dir}/slapd.pid", "modulepath /usr/lib/ldap", "moduleload back_mdb",
            "database mdb", f'suffix "{BASE}"', f'rootdn "{ROOT_DN}"', f"rootpw {ROOT_PW}",
            f"directory {db}", "maxsize 10485760", "",
        ]))
        self.proc = subprocess.Popen([SLAPD, "-f", conf, "-h", f"ldap://127.0.0.1:{self.port}/", "-d", "0"],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "log"), "wb"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("slapd exited: " + Path(self.dir, "log").read_text()[-2000:])
            try:
                with self.conn() as c:
                    c.add(BASE, ["dcObject", "organization"], {"o": "Corp", "dc": "corp"})
                    c.add(PEOPLE, ["organizationalUnit"], {"ou": "people"})
                return self
            except ldap3.core.exceptions.LDAPException:
                time.sleep(0.1)
        raise RuntimeError("slapd did not start")

    def conn(self) -> ldap3.Connection:
        return ldap3.Connection(ldap3.Server("127.0.0.1", port=self.port, get_info=ldap3.NONE),
                                ROOT_DN, ROOT_PW, auto_bind=True, raise_exceptions=True)

    def add_person(self, uid: str, password: str, mail: str, given: str, sn: str, number: int,
                   **extra: Any) -> None:
        with self.conn() as c:
            c.add(f"uid={uid},{PEOPLE}", ["inetOrgPerson", "posixAccount"], {
                "uid": uid, "cn": f"{given} {sn}", "givenName": given, "sn": sn, "mail": mail,
                "userPassword": password, "uidNumber": number, "gidNumber": 100,
                "homeDirectory": f"/home/{uid}", **extra})

    def modify(self, uid: str, **attrs: Any) -> None:
        with self.conn() as c:
            c.modify(f"uid={uid},{PEOPLE}", {k: [(ldap3.MODIFY_REPLACE, [v])] for k, v in attrs.items()})

    def delete(self, uid: str) -> None:
        with self.conn() as c:
            c.delete(f"uid={uid},{PEOPLE}")

    def settings(self) -> dict[str, Any]:
        """LdapSettings for chinwag (field name → value)."""
        return {"Enable": True, "LdapServer": "127.0.0.1", "LdapPort": self.port, "BaseDN": PEOPLE,
                "BindUsername": ROOT_DN, "BindPassword": ROOT_PW, "UserFilter": "(objectClass=inetOrgPerson)",
                "IdAttribute": "uidNumber", "LoginIdAttribute": "uid", "UsernameAttribute": "uid",
                "EmailAttribute": "mail", "FirstNameAttribute": "givenName", "LastNameAttribute": "sn",
                "PositionAttribute": "title", "EnableAdminFilter": True, "AdminFilter": "(employeeType=admin)"}

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)
