// A tiny tenant app's account flow with the typed client: sign up, confirm the emailed code, log in,
// show who is signed in, refresh the tokens, log out.
//
//   npm run example -- http://127.0.0.1:8080 acme ann@example.com [password]
//
// The app asks for the verification code on the terminal; with PLATFORM_MAIL_DIR set (a dev server
// that writes mail as .eml files there) it reads the code from the newest mail to the address.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createPlatformClient, isMfaChallenge, type Problem, type TokenPair } from "../src/index.js";

const [baseUrl = "http://127.0.0.1:8080", tenant = "acme", email, password = "Correct-Horse-Battery-9"] =
  process.argv.slice(2);
if (!email) {
  console.error("usage: app.js BASE_URL TENANT EMAIL [PASSWORD]");
  process.exit(2);
}

/** The answer's body, or (on an error) the problem the platform sent, and stop. */
function ok<T>(step: string, r: { data?: T; error?: Problem; response: Response }): T {
  if (!r.response.ok) {
    console.error(`${step} failed: ${r.response.status} ${r.error?.code} (${r.error?.detail ?? r.error?.title})`);
    process.exit(1);
  }
  return r.data as T;
}

async function verificationCode(): Promise<string> {
  const mailDir = process.env.PLATFORM_MAIL_DIR;
  if (!mailDir) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const code = await rl.question(`the 6-digit code emailed to ${email}: `);
    rl.close();
    return code.trim();
  }
  for (let i = 0; i < 100; i++) {
    const mails = existsSync(mailDir)
      ? readdirSync(mailDir)
          .filter((f) => f.endsWith(".eml"))
          .map((f) => join(mailDir, f))
          .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
      : [];
    for (const mail of mails) {
      const lines = readFileSync(mail, "utf8").split(/\r?\n/);
      if (!lines.some((l) => /^to:/i.test(l) && l.includes(email!))) continue;
      const code = lines.map((l) => l.trim()).find((l) => /^\d{6}$/.test(l));
      if (code) return code;
    }
    await sleep(50);
  }
  throw new Error(`no mail to ${email} in ${mailDir}`);
}

const platform = createPlatformClient(baseUrl, tenant);

ok("sign up", await platform.register({ email, password }));
console.log(`signed up ${email}; a verification code is on its way`);
ok("verify", await platform.verifyEmail({ email, code: await verificationCode() }));
console.log("email verified");

const login = ok("log in", await platform.login({ email, password }));
if (isMfaChallenge(login)) {
  console.log(`two-factor authentication needed (${login.methods.join(", ")}): not covered here`);
  process.exit(0);
}
let session: TokenPair = login;
// The signed-in client asks for the current access token on every request.
const user = createPlatformClient(baseUrl, tenant, { accessToken: () => session.access_token });

const me = ok("me", await user.me());
console.log(`signed in as ${me.email} (${me.role}) in tenant ${me.tenant_id}`);

session = ok("refresh", await platform.refresh(session.refresh_token!));
console.log(`tokens refreshed; the access token lasts ${session.expires_in} s`);

ok("log out", await user.logout());
console.log("signed out");
