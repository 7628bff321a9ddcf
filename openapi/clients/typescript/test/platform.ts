// Starts a real `platform serve` for the tests: a fresh SQLite data dir and mail dir in a temp dir,
// one tenant, a free loopback port. The binary is $PLATFORM_BIN (relative paths are taken from the
// repository root), else target/release/platform in the repository.

import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import createClient from "openapi-fetch";
import type { paths } from "../src/index.js";

// This file runs as dist/test/platform.js: the package is two levels up, the repository three more.
const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url));
export const REPO = resolve(PACKAGE_DIR, "../../..");

export function platformBin(): string {
  const raw = process.env.PLATFORM_BIN;
  const bin = raw ? (isAbsolute(raw) ? raw : resolve(REPO, raw)) : join(REPO, "target/release/platform");
  if (!existsSync(bin)) throw new Error(`build the platform binary first (or set PLATFORM_BIN): ${bin}`);
  return bin;
}

export interface Platform {
  url: string;
  mailDir: string;
  /** Kills the server and removes its files. */
  stop(): Promise<void>;
}

/** This process's environment without any PLATFORM_* setting (PLATFORM_CONFIG,
 * PLATFORM_DATABASE_URL, PLATFORM_SMTP_URL…; the server also refuses unknown ones such as
 * PLATFORM_BIN), plus a data dir and a mail dir under `dir`. */
function platformEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PLATFORM_")) env[k] = v;
  env.PLATFORM_DATA_DIR = join(dir, "data");
  env.PLATFORM_MAIL_DIR = join(dir, "mail");
  return env;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

export async function startPlatform(tenant: string): Promise<Platform> {
  const bin = platformBin();
  const dir = mkdtempSync(join(tmpdir(), "platform-ts-client-"));
  const env = platformEnv(dir);
  const created = spawnSync(bin, ["tenant", "create", tenant], { env, encoding: "utf8" });
  if (created.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`platform tenant create failed (${created.status ?? created.error}): ${created.stderr}`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(dir, "server.log");
  const log = openSync(logPath, "w");
  const child = spawn(bin, ["serve"], {
    env: { ...env, PLATFORM_LISTEN: `127.0.0.1:${port}`, PLATFORM_PUBLIC_URL: url },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const exited = once(child, "exit");
  let running = true;
  void exited.then(() => (running = false));
  // Should the test process end without calling stop(), the server still goes.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    if (running) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const client = createClient<paths>({ baseUrl: url });
  for (let i = 0; i < 200 && running; i++) {
    try {
      const { response } = await client.GET("/health/live");
      if (response.ok) return { url, mailDir: join(dir, "mail"), stop };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  const output = readFileSync(logPath, "utf8");
  await stop();
  throw new Error(`platform serve did not come up (${running ? "no answer" : "it exited"}):\n${output}`);
}

/** The 6-digit code in the newest mail to `to`; mail is written asynchronously, so this polls. */
export async function codeFor(mailDir: string, to: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const files = existsSync(mailDir)
      ? readdirSync(mailDir)
          .filter((f) => f.endsWith(".eml"))
          .map((f) => ({ path: join(mailDir, f), mtime: statSync(join(mailDir, f)).mtimeMs }))
          .sort((a, b) => b.mtime - a.mtime || b.path.localeCompare(a.path))
      : [];
    for (const { path } of files) {
      const lines = readFileSync(path, "utf8").split(/\r?\n/);
      if (!lines.some((l) => /^to:/i.test(l) && l.includes(to))) continue;
      // The code stands alone on its line in the plain-text part.
      const code = lines.map((l) => l.trim()).find((l) => /^\d{6}$/.test(l));
      if (code) return code;
    }
    await sleep(50);
  }
  throw new Error(`no code mailed to ${to}`);
}
