"""A real IMAP server for tests: Dovecot (Debian's dovecot-imapd) on 127.0.0.1, started once
per test session with a throwaway configuration (passwd-file, Maildir, plain port and an
implicit-TLS port with a trustme certificate). Messages are delivered with IMAP APPEND.

Skipped with a clear reason only when the `dovecot` binary is absent (`.ci/run` installs it).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

USER, PASSWORD = "compta@atelier.example", "imap-S3cret-9f2b"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(p)), None
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _users() -> tuple[str, str, str]:
    """(internal user, login user, mail user): Dovecot's own accounts when run as root (it
    refuses to run its processes as root), else the current user for everything."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, me
    names = {p.pw_name for p in pwd.getpwall()}
    internal = "dovecot" if "dovecot" in names else "nobody"
    login = "dovenull" if "dovenull" in names else internal
    return internal, login, "nobody" if "nobody" in names else internal


@dataclass
class Dovecot:
    root: Path
    port: int
    tls_port: int
    process: subprocess.Popen[bytes]
    ca_pem: Path

    def client(self, tls: bool = False):  # type: ignore[no-untyped-def]
        import ssl

        from imapclient import IMAPClient

        if tls:
            ctx = ssl.create_default_context(cafile=str(self.ca_pem))
            client = IMAPClient("127.0.0.1", port=self.tls_port, ssl=True, ssl_context=ctx)
        else:
            client = IMAPClient("127.0.0.1", port=self.port, ssl=False)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()

    def empty(self, folder: str = "INBOX") -> None:
        """A fresh mailbox for the next test: delete the folder (a new UIDVALIDITY)."""
        client = self.client()
        try:
            if folder == "INBOX":
                client.select_folder("INBOX")
                uids = client.search(["ALL"])
                if uids:
                    client.delete_messages(uids)
                    client.expunge()
            elif client.folder_exists(folder):
                client.delete_folder(folder)
        finally:
            client.logout()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot() -> Dovecot:
    import trustme

    binary = dovecot_binary()
    assert binary is not None
    root = Path(tempfile.mkdtemp(prefix="relance-dovecot-"))
    root.chmod(0o755)  # mail processes run as an unprivileged user: they walk into it
    internal, login, mail_user = _users()
    mail = pwd.getpwnam(mail_user)
    home = root / "home"
    home.mkdir()
    if os.geteuid() == 0:
        os.chown(home, mail.pw_uid, mail.pw_gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
    cert.private_key_pem.write_to_path(str(root / "key.pem"))
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    port, tls_port = _free_port(), _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={home}/%n
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    process = subprocess.Popen(
        [binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            err = process.stderr.read().decode() if process.stderr else ""
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"dovecot exited: {err} {log}")
        try:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=1),
                socket.create_connection(("127.0.0.1", tls_port), timeout=1),
            ):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError("dovecot did not start listening in time")
    return Dovecot(root, port, tls_port, process, root / "ca.pem")
