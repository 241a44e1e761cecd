// What a user gets from npm: both packages packed with `npm pack` (what `npm publish` would
// upload), installed from the tarballs into an empty project outside this workspace, so nothing
// resolves through the workspace's own node_modules. Slow on purpose (npm compiles
// better-sqlite3 when no prebuilt binary can be fetched): one install serves every test here.
// `npm test` builds dist/ before this runs. Packing and installing are deploy/pack.sh and
// deploy/install.sh, the steps the Dockerfile runs, so this test is their test too.
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand, startCommand, stopGroup, userEnv } from "./support/run-command.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const tsc = join(root, "node_modules/typescript/bin/tsc");
const sdkManifest = JSON.parse(
  readFileSync(join(root, "packages/webhooks/package.json"), "utf8"),
) as { exports: Record<string, unknown>; dependencies?: Record<string, string> };
/** Every entry point a user can import: `@hookline/webhooks`, `@hookline/webhooks/express`, … */
const entries = Object.keys(sdkManifest.exports).map((key) =>
  key === "." ? "@hookline/webhooks" : `@hookline/webhooks/${key.slice(2)}`,
);
const MINUTE = 60_000;

const dir = mkdtempSync(join(tmpdir(), "hookline-packages-"));
const tarballs = { sdk: "", server: "" };
const app = join(dir, "app");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(command: string, args: string[], cwd: string, timeoutMs: number) {
  const result = await runCommand(command, args, { cwd, timeoutMs });
  expect(result.code, `${command} ${args.join(" ")}\n${result.output}`).toBe(0);
  return result.output;
}

/** What an entry point exports, read from the workspace's sources (the "source" condition). */
async function sourceExports(entry: string): Promise<string[]> {
  return Object.keys(await import(/* @vite-ignore */ entry)).sort();
}

/** An empty project, as `npm init` would leave it. */
function emptyProject(path: string): void {
  mkdirSync(path, { recursive: true });
  const manifest = { name: "user-app", private: true, type: "module" };
  writeFileSync(join(path, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

beforeAll(async () => {
  await run("sh", [join(root, "deploy/pack.sh"), dir], root, 2 * MINUTE);
  const packed = readdirSync(dir);
  tarballs.sdk = join(dir, packed.find((name) => name.startsWith("hookline-webhooks-"))!);
  tarballs.server = join(dir, packed.find((name) => /^hookline-\d/.test(name))!);
  // The install a deployment runs (deploy/install.sh): an empty project approving only
  // better-sqlite3's install script, under --strict-allow-scripts (npm's coming default).
  // Hookline's dependencies come from the npm cache that the workspace's install filled, the
  // registry only for what is missing.
  await run(
    "sh",
    [join(root, "deploy/install.sh"), app, tarballs.sdk, tarballs.server],
    dir,
    15 * MINUTE,
  );
}, 20 * MINUTE);

describe("the packed packages installed into an empty project", () => {
  it(
    "serves the API and the dashboard with npx hookline serve",
    async () => {
      const key = "hk_test_installed_package_0123456789";
      const serve = startCommand(
        "npx",
        ["--no", "hookline", "serve", "--port", "0", "--database", join(app, "hookline.db")],
        { cwd: app, env: userEnv({ HOOKLINE_API_KEY: key }) },
      );
      try {
        const url = await new Promise<string>((resolveUrl, reject) => {
          serve.child.stdout!.on("data", () => {
            const match = /Hookline is running at (http:\/\/\S+)/.exec(serve.output());
            if (match) resolveUrl(match[1]!);
          });
          serve.child.once("exit", (code) =>
            reject(new Error(`npx hookline serve exited with ${code}:\n${serve.output()}`)),
          );
        });
        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);

        const page = await fetch(`${url}/`);
        expect(page.status).toBe(200);
        const html = await page.text();
        expect(html).toContain("<title>Hookline</title>");
        const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
        expect(script, html).toBeDefined();
        expect((await fetch(`${url}${script}`)).status).toBe(200);

        // A write goes through better-sqlite3's native binding, the part an install can break.
        const created = await fetch(`${url}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ type: "charge.succeeded", data: { object: { id: "ch_1" } } }),
        });
        expect(created.status, await created.clone().text()).toBe(200);
        expect(await created.json()).toMatchObject({ object: "event", type: "charge.succeeded" });
      } finally {
        stopGroup(serve.child, "SIGTERM");
        if (serve.child.exitCode === null && serve.child.signalCode === null) {
          await once(serve.child, "exit");
        }
      }
    },
    2 * MINUTE,
  );

  it(
    "imports every @hookline/webhooks entry point as ESM, with the exports of its source",
    async () => {
      writeFileSync(
        join(app, "imports.mjs"),
        [
          "const out = {};",
          "for (const entry of JSON.parse(process.argv[2])) out[entry] = Object.keys(await import(entry)).sort();",
          "console.log(JSON.stringify(out));",
        ].join("\n"),
      );
      const installed = JSON.parse(
        await run(process.execPath, ["imports.mjs", JSON.stringify(entries)], app, MINUTE),
      ) as Record<string, string[]>;
      for (const entry of entries) {
        const source = await sourceExports(entry);
        expect(source.length, entry).toBeGreaterThan(0);
        expect(installed[entry], entry).toEqual(source);
      }
    },
    2 * MINUTE,
  );

  it.each([
    { module: "node16", moduleResolution: "node16" },
    { module: "esnext", moduleResolution: "bundler" },
  ])(
    "type-checks every entry point with moduleResolution $moduleResolution",
    async (modes) => {
      // Each entry must resolve to real types: an untyped or missing module fails under strict,
      // and `@ts-expect-error` fails when the module is typed as `any`.
      const exported = await Promise.all(entries.map(sourceExports));
      const lines = entries.flatMap((entry, i) => [
        `import * as entry${i} from "${entry}";`,
        `export const names${i}: Array<keyof typeof entry${i}> = ${JSON.stringify(exported[i])};`,
        "// @ts-expect-error: an export the package does not have",
        `entry${i}.notAnExport;`,
      ]);
      const project = join(app, `tsc-${modes.moduleResolution}`);
      mkdirSync(project, { recursive: true });
      writeFileSync(join(project, "check.ts"), `${lines.join("\n")}\n`);
      const compilerOptions = {
        ...modes,
        target: "es2022",
        strict: true,
        noEmit: true,
        // A Node.js project has @types/node; the adapters' framework types come with the framework.
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(root, "node_modules/@types")],
      };
      writeFileSync(
        join(project, "tsconfig.json"),
        JSON.stringify({ compilerOptions, files: ["check.ts"] }),
      );
      await run(process.execPath, [tsc, "-p", project], project, 2 * MINUTE);
    },
    3 * MINUTE,
  );

  it(
    "installs @hookline/webhooks alone with no dependency, offline",
    async () => {
      expect(sdkManifest.dependencies ?? {}).toEqual({});
      const alone = join(dir, "sdk-alone");
      emptyProject(alone);
      await run(
        "npm",
        ["install", "--offline", "--strict-allow-scripts", "--no-audit", "--no-fund", tarballs.sdk],
        alone,
        2 * MINUTE,
      );
      writeFileSync(
        join(alone, "sign.mjs"),
        [
          'import { generateSecret, sign, verify } from "@hookline/webhooks";',
          "const secret = generateSecret();",
          'const body = JSON.stringify({ id: "evt_1", object: "event", type: "t", created: 1, data: { object: {} } });',
          'console.log(verify(body, sign(body, secret, { id: "evt_1" }), secret).id);',
        ].join("\n"),
      );
      expect((await run(process.execPath, ["sign.mjs"], alone, MINUTE)).trim()).toBe("evt_1");
    },
    3 * MINUTE,
  );
});
