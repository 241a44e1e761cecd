import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");
const IMPORT = /(?:import|export)\s[^"']*?from\s*["']([^"']+)["']/g;
const COMMENTS = /\/\*[\s\S]*?\*\/|\/\/.*$/gm;

/** The packages (non-relative specifiers) an entry point's module graph imports at run time. */
function packagesImported(entry: string): Set<string> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, "utf8").replace(COMMENTS, "");
    for (const match of code.matchAll(IMPORT)) {
      // Type-only imports vanish from the build (verbatimModuleSyntax keeps that explicit).
      if (/^(import|export)\s+type\s/.test(match[0])) continue;
      const specifier = match[1]!;
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      else found.add(specifier);
    }
  };
  visit(resolve(src, entry));
  return found;
}

it("the main entry imports only node: modules, so the drivers and frameworks stay unloaded", () => {
  const imported = [...packagesImported("index.ts")];
  expect(imported.filter((name) => !name.startsWith("node:"))).toEqual([]);
});

it("each inbox subpath imports its own driver and nothing else", () => {
  // Node built-ins are allowed: the SQLite inbox syncs its WAL file with node:fs.
  const packages = (entry: string) =>
    [...packagesImported(entry)].filter((name) => !name.startsWith("node:"));
  expect(packages("receive/inbox/sqlite.ts")).toEqual(["better-sqlite3"]);
  expect(packages("receive/inbox/postgres.ts")).toEqual(["pg"]);
});

it("the framework adapters import their framework for types only", () => {
  for (const adapter of ["express", "fastify", "hono", "next", "node"]) {
    const imported = [...packagesImported(`receive/adapters/${adapter}.ts`)];
    expect(
      imported.filter((name) => !name.startsWith("node:")),
      adapter,
    ).toEqual([]);
  }
});
