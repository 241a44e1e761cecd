import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const HEADER = `# Benchmarks

Every target is a ratio against a baseline measured in the same run, on the same machine:
absolute figures vary from machine to machine and run to run, ratios much less. Each section
names the command that regenerates it.
`;

/**
 * Replaces the text between one benchmark's markers (`<!-- bench:<name>:start -->` … `end`) in
 * docs/benchmarks.md, or appends a section with them; other benchmarks' sections and
 * hand-written text around the markers stay as they are.
 */
export function writeSection(
  path: string,
  section: { name: string; title: string; report: string },
): string {
  const start = `<!-- bench:${section.name}:start -->`;
  const end = `<!-- bench:${section.name}:end -->`;
  const block = `${start}\n${section.report}\n${end}`;
  const text = existsSync(path) ? readFileSync(path, "utf8") : HEADER;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const updated =
    from !== -1 && to > from
      ? `${text.slice(0, from)}${block}${text.slice(to + end.length)}`
      : `${text.trimEnd()}\n\n## ${section.title}\n\n${block}\n`;
  writeFileSync(path, updated);
  // Tables come out as the lint wants them (Biome pads Markdown tables): a rerun never breaks CI.
  execFileSync("npx", ["biome", "format", "--write", path], { stdio: "ignore" });
  return path;
}
