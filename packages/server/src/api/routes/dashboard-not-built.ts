const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** What `/` answers when the dashboard was not built: what to run, instead of a bare 404. */
export function notBuiltPage(dir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hookline: dashboard not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#eee;padding:.1em .3em}</style>
</head><body>
<h1>The dashboard is not built</h1>
<p>Hookline serves its dashboard from <code>${escapeHtml(dir)}</code>, which has no <code>index.html</code>.</p>
<p>Build it from the repository root with <code>npm run build</code> (or
<code>npm run build -w @hookline/dashboard</code>); this page then shows the dashboard, no restart needed.</p>
<p>The API is unaffected: <a href="/docs/api">API reference</a>, <a href="/healthz">/healthz</a>.</p>
</body></html>
`;
}
