import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verify } from "@hookline/webhooks";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.ts";
import { createSecretBox, keyId } from "../src/secrets/secret-box.ts";
import { startServer } from "../src/serve.ts";
import { startReceiver } from "./support/receiver.ts";
import { API_KEY, waitFor } from "./support/server.ts";

// Endpoint secrets at rest: sealed with AES-256-GCM, so the database alone reveals none.

const newKey = () => randomBytes(32).toString("base64");

describe("the secret box", () => {
  it("seals with a fresh nonce each time and opens what it sealed", () => {
    const box = createSecretBox(randomBytes(32));
    const a = box.seal("whsec_abc");
    const b = box.seal("whsec_abc");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^enc:v1:[\w-]{8}:[\w-]+$/);
    expect(box.open(a)).toBe("whsec_abc");
    expect(box.isCurrent(a)).toBe(true);
  });

  it("refuses a tampered ciphertext", () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal("whsec_abc");
    const body = Buffer.from(sealed.split(":")[3]!, "base64url");
    body[14]! ^= 1;
    const tampered = `${sealed.split(":").slice(0, 3).join(":")}:${body.toString("base64url")}`;
    expect(() => box.open(tampered)).toThrow();
  });

  it("opens under a rotated-out key only while that key is listed, and names the missing key", () => {
    const oldKey = randomBytes(32);
    const sealed = createSecretBox(oldKey).seal("whsec_old");
    const rotated = createSecretBox(randomBytes(32), [oldKey]);
    expect(rotated.open(sealed)).toBe("whsec_old");
    expect(rotated.isCurrent(sealed)).toBe(false);
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow(keyId(oldKey));
  });

  it("passes plaintext from an older database through, to be sealed at start", () => {
    expect(createSecretBox(randomBytes(32)).open("whsec_plain")).toBe("whsec_plain");
  });
});

describe("secrets at rest in a real server", () => {
  const dirs: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function start(database: string, env: Record<string, string> = {}) {
    const config = loadConfig(
      { port: "0", database, allowNetwork: ["127.0.0.0/8"] },
      { HOOKLINE_API_KEY: API_KEY, ...env },
    );
    const started = await startServer(config, { logger: false });
    // Closing twice (a test closes it, then the cleanup) is a no-op the second time.
    let closing: Promise<void> | undefined;
    const server = { ...started, close: (grace: number) => (closing ??= started.close(grace)) };
    stops.push(() => server.close(1000));
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: any JSON the API answers; the assertions check it
      return { status: response.status, body: (await response.json()) as any };
    };
    return { server, api };
  }

  function fileBytes(dir: string): Buffer {
    return Buffer.concat(
      readdirSync(dir)
        .filter((f) => f.startsWith("hookline.db"))
        .map((f) => readFileSync(join(dir, f))),
    );
  }

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "hookline-secrets-"));
    dirs.push(dir);
    return dir;
  };

  it("generates a 0600 key beside the database, stores no secret in clear, and still signs right", async () => {
    const dir = tempDir();
    const database = join(dir, "hookline.db");
    const { server, api } = await start(database);
    expect(statSync(`${database}.key`).mode & 0o777).toBe(0o600);
    const receiver = await startReceiver();
    stops.push(receiver.close);
    const endpoint = await api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    const rotated = await api("POST", `/v1/webhook_endpoints/${endpoint.body.id}/rotate_secret`);
    await api("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
    await waitFor(() => receiver.received.length === 1);
    // Both secrets sign during the rotation, and both verify.
    for (const secret of [endpoint.body.secret, rotated.body.secret]) {
      const headers = receiver.received[0]!.headers as Record<string, string>;
      expect(verify(receiver.received[0]!.body, headers, secret).type).toBe("invoice.paid");
    }
    const db = new Database(database, { readonly: true });
    const row = db.prepare("SELECT secret, previous_secret FROM endpoints").get() as {
      secret: string;
      previous_secret: string;
    };
    db.close();
    expect(row.secret).toMatch(/^enc:v1:/);
    expect(row.previous_secret).toMatch(/^enc:v1:/);
    await server.close(1000);
    const bytes = fileBytes(dir).toString("latin1");
    for (const secret of [endpoint.body.secret, rotated.body.secret]) {
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes(secret.slice("whsec_".length))).toBe(false);
    }
  });

  it("refuses to start on a copied database without its key, naming the key it needs", async () => {
    const dir = tempDir();
    const database = join(dir, "hookline.db");
    const key = newKey();
    const first = await start(database, { HOOKLINE_ENCRYPTION_KEY: key });
    await first.api("POST", "/v1/webhook_endpoints", {
      url: "http://127.0.0.1:9/x",
      enabled_events: ["*"],
    });
    await first.server.close(1000);
    const other = newKey();
    await expect(start(database, { HOOKLINE_ENCRYPTION_KEY: other })).rejects.toThrow(
      keyId(Buffer.from(key, "base64")),
    );
  });

  it("rotates the key: old ciphertexts open with the old key listed, and are re-sealed at start", async () => {
    const dir = tempDir();
    const database = join(dir, "hookline.db");
    const [oldKey, newer] = [newKey(), newKey()];
    const first = await start(database, { HOOKLINE_ENCRYPTION_KEY: oldKey });
    const receiver = await startReceiver();
    stops.push(receiver.close);
    const endpoint = await first.api("POST", "/v1/webhook_endpoints", {
      url: receiver.url,
      enabled_events: ["*"],
    });
    await first.server.close(1000);

    const second = await start(database, {
      HOOKLINE_ENCRYPTION_KEY: newer,
      HOOKLINE_ENCRYPTION_OLD_KEYS: oldKey,
    });
    await second.server.close(1000);
    const db = new Database(database, { readonly: true });
    const stored = (db.prepare("SELECT secret FROM endpoints").get() as { secret: string }).secret;
    db.close();
    expect(stored.split(":")[2]).toBe(keyId(Buffer.from(newer, "base64")));

    // Re-sealed: the old key is no longer needed.
    const third = await start(database, { HOOKLINE_ENCRYPTION_KEY: newer });
    await third.api("POST", "/v1/events", { type: "invoice.paid", data: { object: {} } });
    await waitFor(() => receiver.received.length === 1);
    const headers = receiver.received[0]!.headers as Record<string, string>;
    expect(verify(receiver.received[0]!.body, headers, endpoint.body.secret).type).toBe(
      "invoice.paid",
    );
  });

  it("refuses a malformed HOOKLINE_ENCRYPTION_KEY with a message naming the setting", () => {
    expect(() => loadConfig({ database: "x.db" }, { HOOKLINE_ENCRYPTION_KEY: "short" })).toThrow(
      /HOOKLINE_ENCRYPTION_KEY: expected 32 bytes in base64/,
    );
  });
});
