import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * Headers on every response. API answers carry secrets (an endpoint's signing secret on create
 * and rotate), so nothing is cached or framed and nothing is sniffed. The dashboard's pages get
 * a policy that allows only its own scripts, styles and API calls: an injected script can
 * neither load nor send anything elsewhere. HSTS belongs to whatever terminates TLS in front of
 * Hookline (it serves plain HTTP itself).
 */
const COMMON = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
} as const;

const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
// The API reference page and the dashboard: own scripts and styles (inline styles for uPlot's
// canvas sizing), API calls to this origin only.
const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export async function securityHeaders(_request: FastifyRequest, reply: FastifyReply) {
  reply.headers(COMMON);
  const type = String(reply.getHeader("content-type") ?? "");
  if (type.startsWith("text/html")) {
    if (!reply.hasHeader("content-security-policy"))
      reply.header("content-security-policy", PAGE_POLICY);
  } else {
    reply.header("content-security-policy", API_POLICY);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
  }
}
