import { existsSync, readFileSync, writeFileSync } from "node:fs";

const START = "<!-- bench:delivery:start -->";
const END = "<!-- bench:delivery:end -->";
const TITLE = "## hookline: delivery";
const HEADER = `# Benchmarks

Every figure is a ratio against a baseline measured in the same run, on the same machine.
`;

/**
 * Replaces the text between this benchmark's markers in docs/benchmarks.md, or appends a section
 * with them; other benchmarks' sections and hand-written text around the markers stay as they are.
 */
export function writeSection(path: string, report: string): string {
  const block = `${START}\n${report}\n${END}`;
  const text = existsSync(path) ? readFileSync(path, "utf8") : HEADER;
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const updated =
    start !== -1 && end > start
      ? `${text.slice(0, start)}${block}${text.slice(end + END.length)}`
      : `${text.trimEnd()}\n\n${TITLE}\n\n${block}\n`;
  writeFileSync(path, updated);
  return path;
}
