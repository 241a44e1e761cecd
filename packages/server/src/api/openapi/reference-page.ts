/**
 * The API reference as one self-contained HTML page: the document is embedded and rendered by a
 * few lines of inline script, so the page works offline and behind any path prefix (no CDN, no
 * UI bundle, no second request).
 */
export function referencePage(documentJson: string): string {
  // `<` escaped so that no string in the document can close the script element.
  const embedded = documentJson.replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Hookline API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;display:flex}
nav{width:260px;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f6f7f9;padding:1rem;box-sizing:border-box;font-size:13px}
nav a{display:block;color:#333;text-decoration:none;padding:2px 0}main{padding:1rem 2rem;max-width:900px}
h2{border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:2.5rem}code,.path{font-family:ui-monospace,monospace}
.op{margin:1.5rem 0;padding:1rem;border:1px solid #e3e3e3;border-radius:6px}
.m{display:inline-block;min-width:4em;font-weight:600;font-size:12px;color:#fff;border-radius:3px;padding:1px 6px;margin-right:.5rem;text-align:center}
.GET{background:#2b7bb9}.POST{background:#2a9d5c}.PATCH{background:#b98a2b}.DELETE{background:#c0392b}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:13px}td,th{border-top:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
.t{color:#7a3e9d;font-family:ui-monospace,monospace}.muted{color:#777}
</style></head><body><nav id="nav"></nav><main id="main"></main>
<script type="application/json" id="spec">${embedded}</script>
<script>
const spec = JSON.parse(document.getElementById("spec").textContent);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
function type(s) {
  if (!s || Object.keys(s).length === 0) return "any";
  if (s.$ref) { const n = s.$ref.split("/").pop(); return '<a href="#schema-' + n + '">' + n + "</a>"; }
  if (s.const !== undefined) return esc(JSON.stringify(s.const));
  if (s.enum) return s.enum.map((v) => esc(JSON.stringify(v))).join(" | ");
  if (s.anyOf || s.oneOf) return (s.anyOf || s.oneOf).map(type).join(" | ");
  if (s.type === "array") return "array&lt;" + type(s.items) + "&gt;";
  if (s.type === "object" && s.patternProperties) return "map&lt;string, " + type(Object.values(s.patternProperties)[0]) + "&gt;";
  return esc(s.type || "any");
}
function fields(s) {
  if (s && s.$ref) s = spec.components.schemas[s.$ref.split("/").pop()];
  if (!s || !s.properties) return '<p class="t">' + type(s) + "</p>";
  const req = new Set(s.required || []);
  return "<table><tr><th>field</th><th>type</th><th>description</th></tr>" + Object.entries(s.properties).map(([k, v]) =>
    "<tr><td><code>" + esc(k) + "</code>" + (req.has(k) ? "" : ' <span class="muted">optional</span>') + '</td><td class="t">' + type(v) + "</td><td>" + esc(v.description) + "</td></tr>").join("") + "</table>";
}
let nav = "<strong>" + esc(spec.info.title) + "</strong> <span class=muted>" + esc(spec.info.version) + "</span>";
let main = "<h1>" + esc(spec.info.title) + "</h1><p>" + esc(spec.info.description) + "</p>";
const byTag = {};
for (const [path, ops] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(ops)) (byTag[op.tags[0]] ||= []).push([path, method.toUpperCase(), op]);
for (const [tag, ops] of Object.entries(byTag)) {
  nav += "<p><strong>" + esc(tag) + "</strong></p>"; main += '<h2 id="tag-' + esc(tag) + '">' + esc(tag) + "</h2>";
  for (const [path, method, op] of ops) {
    nav += '<a href="#' + esc(op.operationId) + '"><span class="path">' + method + " " + esc(path) + "</span></a>";
    main += '<div class="op" id="' + esc(op.operationId) + '"><div><span class="m ' + method + '">' + method + '</span><span class="path">' + esc(path) + "</span>" + (op.security && op.security.length === 0 ? ' <span class="muted">(no API key)</span>' : "") + "</div><p>" + esc(op.description) + "</p>";
    if (op.parameters) main += "<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>" + op.parameters.map((p) =>
      "<tr><td><code>" + esc(p.name) + "</code>" + (p.required ? "" : ' <span class="muted">optional</span>') + "</td><td>" + esc(p.in) + '</td><td class="t">' + type(p.schema) + "</td><td>" + esc(p.description) + "</td></tr>").join("") + "</table>";
    if (op.requestBody) main += "<h4>Body</h4>" + fields(op.requestBody.content["application/json"].schema);
    main += "<h4>Responses</h4><table>" + Object.entries(op.responses).map(([status, r]) =>
      "<tr><td>" + esc(status) + "</td><td>" + esc(r.description) + '</td><td class="t">' + Object.entries(r.content || {}).map(([mt, c]) => esc(mt) + " " + type(c.schema)).join("<br>") + "</td></tr>").join("") + "</table></div>";
  }
}
nav += "<p><strong>objects</strong></p>"; main += "<h2>objects</h2>";
for (const [name, s] of Object.entries(spec.components.schemas)) {
  nav += '<a href="#schema-' + esc(name) + '">' + esc(name) + "</a>";
  main += '<div class="op" id="schema-' + esc(name) + '"><strong>' + esc(name) + "</strong><p>" + esc(s.description) + "</p>" + fields(s) + "</div>";
}
document.getElementById("nav").innerHTML = nav;
document.getElementById("main").innerHTML = main;
</script></body></html>
`;
}
