// The typed client against a real `platform serve`: a tenant app's whole account flow
// (register → emailed code → verify → login → /me → refresh → logout), errors whose typed
// problem+json bodies it reads, and the example app run end to end.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { createPlatformClient, isMfaChallenge, type Problem, type TokenPair, type User } from "../src/index.js";
import { codeFor, type Platform, startPlatform } from "./platform.js";

const TENANT = "acme";
const EMAIL = "ann@acme.test";
const PASSWORD = "Correct-Horse-Battery-9";

let platform: Platform;
before(async () => {
  platform = await startPlatform(TENANT);
});
after(async () => {
  await platform?.stop();
});

/** For assertion messages: what the server said. */
const said = (r: { error?: unknown; response: Response }) => `${r.response.status} ${JSON.stringify(r.error)}`;

test("a tenant app runs the account flow through the generated client", async () => {
  const anon = createPlatformClient(platform.url, TENANT);

  const registered = await anon.register({ email: EMAIL, password: PASSWORD });
  assert.equal(registered.response.status, 202, said(registered));

  const code = await codeFor(platform.mailDir, EMAIL);
  const verified = await anon.verifyEmail({ email: EMAIL, code });
  assert.ok(verified.data, said(verified));
  assert.equal(verified.data.user.email_verified, true);

  const login = await anon.login({ email: EMAIL, password: PASSWORD });
  assert.ok(login.data, said(login));
  if (isMfaChallenge(login.data)) assert.fail(`no MFA expected: ${JSON.stringify(login.data)}`);
  const pair: TokenPair = login.data;
  assert.equal(pair.token_type, "Bearer");
  const refreshToken = pair.refresh_token;
  assert.ok(refreshToken, "the refresh token is in the body");

  const me = await createPlatformClient(platform.url, TENANT, { accessToken: pair.access_token }).me();
  assert.ok(me.data, said(me));
  const user: User = me.data;
  assert.equal(user.email, EMAIL);
  assert.equal(user.role, "member");

  const refreshed = await anon.refresh(refreshToken);
  assert.ok(refreshed.data, said(refreshed));
  assert.notEqual(refreshed.data.refresh_token, refreshToken);

  const fresh = createPlatformClient(platform.url, TENANT, { accessToken: refreshed.data.access_token });
  const logout = await fresh.logout();
  assert.equal(logout.response.status, 204, said(logout));
  const refused = await fresh.me();
  assert.equal(refused.response.status, 401, "a logged-out token must be refused");
  assert.equal(refused.error?.status, 401);

  // An error's typed problem body.
  const wrong = await anon.login({ email: EMAIL, password: "Wrong-Password-1" });
  assert.equal(wrong.data, undefined);
  const problem: Problem | undefined = wrong.error;
  assert.ok(problem, said(wrong));
  assert.equal(wrong.response.status, 401);
  assert.match(wrong.response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(problem.status, 401);
  assert.equal(problem.code, "invalid_credentials");
  assert.equal(problem.type, "urn:platform:problem:invalid_credentials");
  assert.equal(problem.request_id, wrong.response.headers.get("x-request-id"));
});

test("a bad registration is a typed 400", async () => {
  const bad = await createPlatformClient(platform.url, TENANT).register({ email: "bob@acme.test", password: "short" });
  assert.equal(bad.response.status, 400);
  const problem: Problem | undefined = bad.error;
  assert.equal(problem?.code, "invalid_request");
  assert.equal(problem?.status, 400);
});

test("the example app runs its flow against the server", async () => {
  const app = fileURLToPath(new URL("../example/app.js", import.meta.url));
  const child = spawn(process.execPath, [app, platform.url, TENANT, "example@acme.test"], {
    env: { ...process.env, PLATFORM_MAIL_DIR: platform.mailDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d));
  child.stderr.on("data", (d: Buffer) => (output += d));
  const [status] = (await once(child, "exit")) as [number | null];
  assert.equal(status, 0, output);
  assert.match(output, /signed out/);
});
