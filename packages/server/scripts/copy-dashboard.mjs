// Copies the dashboard's build into the server's dist/, so the published `hookline` package
// serves it without the workspace. Runs after `tsc` in `npm run build`; the dashboard builds
// first (it comes before the server in the root workspaces).
import { cpSync, existsSync, rmSync } from "node:fs";

const from = new URL("../../dashboard/dist/", import.meta.url);
const to = new URL("../dist/dashboard/", import.meta.url);
rmSync(to, { recursive: true, force: true });
if (existsSync(new URL("index.html", from))) {
  cpSync(from, to, { recursive: true });
  console.log("copied the dashboard into dist/dashboard");
} else {
  console.warn("the dashboard is not built: the server will say how to build it");
}
