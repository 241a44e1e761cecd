import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { DASHBOARD_DIR } from "../../src/api/routes/dashboard.ts";

/** Debian's chromium (`apt-get install -y chromium`, as the README says). Tests never download a browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Builds the dashboard unless a build is there (CI builds before testing). */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(DASHBOARD_DIR, "index.html"))) return;
  execFileSync("npm", ["run", "build", "-w", "@hookline/dashboard"], {
    cwd: join(DASHBOARD_DIR, "..", "..", ".."),
    stdio: "inherit",
  });
}

/** Launches chromium headless; fails (never skips) when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The dashboard tests need Debian's chromium at ${CHROMIUM}: install it with 'apt-get install -y chromium' (the README's test line says so).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}
