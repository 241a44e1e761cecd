import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../src");
const IMPORT = /(?:import|export)[^"']*?from\s*["']([^"']+)["']/g;
const COMMENTS = /\/\*[\s\S]*?\*\/|\/\/.*$/gm;
const code = (file: string) => readFileSync(file, "utf8").replace(COMMENTS, "");

/** Every source file reachable from an entry point, with the specifiers each one imports. */
function moduleGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const specifiers = [...code(file).matchAll(IMPORT)].map((match) => match[1]!);
    graph.set(file, specifiers);
    for (const specifier of specifiers) {
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
    }
  };
  visit(resolve(src, entry));
  return graph;
}

it("the web entry point reaches no node: module and no Buffer, so verifyAsync runs on edge runtimes", () => {
  const graph = moduleGraph("web.ts");
  expect(graph.size).toBeGreaterThan(5);
  for (const [file, specifiers] of graph) {
    expect(
      specifiers.filter((s) => !s.startsWith(".")),
      file,
    ).toEqual([]);
    expect(code(file), file).not.toMatch(/\bBuffer\b|\bprocess\.|\brequire\(/);
  }
});

it("the scan would notice a node: import (it can fail)", () => {
  const graph = moduleGraph("index.ts");
  const external = [...graph.values()].flat().filter((s) => !s.startsWith("."));
  expect(external).toContain("node:crypto");
});
