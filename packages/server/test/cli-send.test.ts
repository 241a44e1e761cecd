import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/run-cli.ts";
import { API_KEY, startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), "hookline-cli-send-"));
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  env = { HOME: dir, XDG_CONFIG_HOME: dir, HOOKLINE_URL: server.url, HOOKLINE_API_KEY: API_KEY };
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const line = (id: string, type = "invoice.paid") =>
  JSON.stringify({ type, data: { object: { id } } });

async function stored(prefix: string): Promise<string[]> {
  const list = await server.api("GET", "/v1/events?limit=100");
  return list.body.data
    .map((e: { data: { object: { id: string } } }) => e.data.object.id)
    .filter((id: string) => id.startsWith(prefix))
    .sort();
}

describe("hookline events send", { timeout: 120_000 }, () => {
  it("sends every line in batches with progress, and a rerun with the same key creates nothing twice", async () => {
    const path = file(
      "five.ndjson",
      ["a1", "a2", "", "a3", "a4", "a5"].map((id) => (id ? line(id) : "")),
    );
    const args = [
      "events",
      "send",
      "--file",
      path,
      "--batch-size",
      "2",
      "--idempotency-key",
      "run-1",
    ];
    const sent = await runCli(args, env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain("Accepted 5 events of 5");
    // One progress line per batch when stderr is not a terminal.
    expect(sent.stderr.match(/\] \d+\/5$/gm)).toEqual(["] 2/5", "] 4/5", "] 5/5"]);
    expect(await stored("a")).toEqual(["a1", "a2", "a3", "a4", "a5"]);
    const again = await runCli(args, env);
    expect(again.code).toBe(0);
    expect(await stored("a")).toHaveLength(5);
  });

  it("lists each refused event by its line and exits 1, the others accepted", async () => {
    const path = file("mixed.ndjson", [line("b1"), line("b2", "bad type"), line("b3")]);
    const sent = await runCli(["events", "send", "--file", path], env);
    expect(sent.code).toBe(1);
    expect(sent.stdout).toContain("Accepted 2 events of 3");
    expect(sent.stdout).toMatch(/^2\s+parameter_invalid\s+type\s+Invalid type/m);
    expect(sent.stderr).toContain("1 event refused");
    expect(await stored("b")).toEqual(["b1", "b3"]);
  });

  it("stops before sending anything at a line that is not a JSON object (exit 2)", async () => {
    for (const bad of ["{not json", "[1]"]) {
      const path = file("broken.ndjson", [line("c1"), bad, line("c3")]);
      const sent = await runCli(["events", "send", "--file", path], env);
      expect(sent.code).toBe(2);
      expect(sent.stderr).toContain("broken.ndjson:2:");
    }
    expect(await stored("c")).toEqual([]);
  });

  it("reads standard input with --file -", async () => {
    const sent = await runCli(["events", "send", "--file", "-", "--json"], env, {
      input: `${line("d1")}\n${line("d2")}\n`,
    });
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout).map((e: { object: string }) => e.object)).toEqual([
      "event",
      "event",
    ]);
    expect(await stored("d")).toEqual(["d1", "d2"]);
  });
});
