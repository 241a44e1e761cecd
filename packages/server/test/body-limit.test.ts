import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { exited, spawnServe } from "./support/spawn.ts";

// A body over the limit is answered with a readable 413 however large it is. The client is
// still writing when the server decides, so a socket closed at once cuts its upload (EPIPE,
// ECONNRESET: curl says "Send failure: Broken pipe") before it reads the answer; 1 MB fit the
// socket buffers, 3 MB did not. The client here writes its whole request, as curl does, then
// reads. The server runs in its own process, as deployed: sharing the test's event loop, it
// would read while the client writes and hide the race.

const KEY = "hk_test_body_limit_0123456789";
const dir = mkdtempSync(join(tmpdir(), "hookline-body-limit-"));
let server: Awaited<ReturnType<typeof spawnServe>>;
beforeAll(async () => {
  server = await spawnServe(["--port", "0", "--database", join(dir, "h.db")], {
    HOOKLINE_API_KEY: KEY,
  });
});
afterAll(async () => {
  server.child.kill("SIGTERM");
  await exited(server.child);
  rmSync(dir, { recursive: true, force: true });
});

/** POSTs an event of about `bytes` bytes on a raw socket; resolves with the raw answer. */
function postEvent(bytes: number): Promise<string> {
  const body = JSON.stringify({
    type: "charge.succeeded",
    data: { object: { pad: "x".repeat(bytes) } },
  });
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  socket.write(
    [
      "POST /v1/events HTTP/1.1",
      `Host: ${hostname}:${port}`,
      `Authorization: Bearer ${KEY}`,
      "Content-Type: application/json",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      "",
    ].join("\r\n"),
  );
  socket.write(body);
  let answer = "";
  socket.on("data", (chunk: Buffer) => {
    answer += chunk.toString();
  });
  return new Promise((resolveAnswer, reject) => {
    socket.once("error", (error) => reject(new Error(`${error.message}; read so far: ${answer}`)));
    socket.once("end", () => resolveAnswer(answer));
  });
}

it.each([1.2, 3, 12])("answers a %s MB event with a 413 the client can read", async (mb) => {
  const answer = await postEvent(mb * 1024 * 1024);
  const [head, body] = answer.split("\r\n\r\n", 2) as [string, string];
  expect(head).toMatch(/^HTTP\/1\.1 413 /);
  expect(head.toLowerCase()).toContain("connection: close");
  expect(JSON.parse(body)).toMatchObject({
    error: { type: "invalid_request_error", code: "payload_too_large" },
  });
  const events = await fetch(`${server.url}/v1/events`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  expect(((await events.json()) as { data: unknown[] }).data).toEqual([]);
});
