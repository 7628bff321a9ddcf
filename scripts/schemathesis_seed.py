#!/usr/bin/env python3
"""Seeds a Schemathesis run against a running platform: accepts the emailed owner invitation,
signs the owner in twice and two operators in (computing their TOTP codes), and prints
`export ST_...=...` lines with the tokens for scripts/schemathesis.sh to evaluate.

Usage: schemathesis_seed.py BASE_URL MAIL_DIR OPERATOR_JSON LEAVING_OPERATOR_JSON
"""
import base64, email, email.policy, glob, hashlib, hmac, json, re, struct, sys, time
import urllib.error, urllib.parse, urllib.request

base, mail_dir, operator_file, leaving_file = sys.argv[1:]

def call(path, body=None):
    req = urllib.request.Request(base + path, method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")

def totp(secret):
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    return str((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 10**6).zfill(6)

def wait(what, get, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = get()
        except (OSError, ValueError):
            value = None
        if value:
            return value
        time.sleep(0.2)
    sys.exit(f"error: timed out waiting for {what}")

def invitation_token(addr):
    for f in glob.glob(f"{mail_dir}/**/*.eml", recursive=True):
        msg = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
        if addr in str(msg.get("To", "")):
            m = re.search(r"token=([A-Za-z0-9_\-.~%]+)", msg.get_body(("plain",)).get_content())
            if m:
                return urllib.parse.unquote(m.group(1))

def ok(what, status, body):
    if status != 200:
        sys.exit(f"error: {what}: {status} {body}")
    return body

wait("the server", lambda: call("/health/ready")[0] == 200)
owner, password = "owner@st-users.test", "Schemathesis-owner-1"
token = wait("the owner's invitation", lambda: invitation_token(owner))
pair = ok("accept the invitation", *call("/v1/tenants/st-users/auth/invitations/accept",
                                         {"token": token, "password": password}))
again = ok("owner login", *call("/v1/tenants/st-users/auth/login", {"email": owner, "password": password}))

def operator_session(file):
    op = json.load(open(file))
    step = ok("operator login", *call("/v1/admin/auth/login", {"email": op["email"], "password": op["password"]}))
    return ok("operator MFA", *call("/v1/admin/auth/login/mfa", {"mfa_token": step["mfa_token"], "code": totp(op["totp_secret"])}))
# Two operators: a TOTP code is single-use, so one operator's second session would wait 30 s.
operator, operator_again = operator_session(operator_file), operator_session(leaving_file)

print(f"export ST_USER_TOKEN={pair['access_token']} ST_USER_LOGOUT_TOKEN={again['access_token']}")
print(f"export ST_OPERATOR_TOKEN={operator['access_token']} ST_OPERATOR_LOGOUT_TOKEN={operator_again['access_token']}")
