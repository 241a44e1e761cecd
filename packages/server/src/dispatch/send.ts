import { EventEmitter } from "node:events";
import { isIP } from "node:net";
import type { Readable } from "node:stream";
import { createSecureContext, rootCertificates } from "node:tls";
import { sign } from "@hookline/webhooks";
import { Agent, type Dispatcher, ProxyAgent, request as undiciRequest } from "undici";
import { MASKED_VALUE, maskHeaders } from "../endpoint-options/custom-headers.ts";
import { type AddressPolicy, checkAddress, parseNetworks } from "./address-guard.ts";
import { classifyError, type Failure } from "./classify-error.ts";
import { clientCertAgents, keyedAgents } from "./client-cert-agents.ts";
import { authorizationFor, renewedAuthorization, tokenFailure } from "./endpoint-authorization.ts";
import { guardedLookup, type Resolve } from "./guarded-lookup.ts";
import { type Post, requestToken } from "./oauth2-token-request.ts";
import { createTokenCache } from "./oauth2-tokens.ts";
import type { AttemptRecord, SendOutcome, SendRequest } from "./outcome.ts";
import { pinnedTarget } from "./proxy-target.ts";
import { parseRetryAfter } from "./retry-after.ts";
import { tlsAlerts } from "./tls-alerts.ts";
import { traceHeaders } from "./trace-headers.ts";

export interface SenderOptions {
  /** Whole attempt: connect, request, response headers and the (capped) body read. */
  timeoutMs: number;
  policy: AddressPolicy;
  /** How much of the response body is kept for the attempt record. Default 4096. */
  maxResponseBytes?: number;
  /** Sockets per origin in the keep-alive pool. Default 16. */
  connectionsPerOrigin?: number;
  userAgent?: string;
  /** Milliseconds clock, for durations and Retry-After dates. Default Date.now. */
  now?: () => number;
  /** Name resolution behind the address guard; tests inject one. Default dns.lookup. */
  resolve?: Resolve;
  /**
   * CA certificates (PEM) trusted for endpoints besides Node's bundled roots
   * (`HOOKLINE_EXTRA_CA_CERTS`): a private CA in front of internal receivers, or a test's.
   */
  extraCaCerts?: readonly string[];
  /** Most client-certificate connection pools open at once (client-cert-agents.ts). */
  maxClientCertAgents?: number;
  /**
   * An HTTP forward proxy every request goes through (`HOOKLINE_PROXY_URL`), as a CONNECT
   * tunnel to an address the guard allowed (proxy-target.ts). The proxy itself is the
   * operator's and is not guarded.
   */
  proxyUrl?: string;
}

export interface Sender {
  /** One attempt. Never rejects for network reasons: every failure is an outcome. */
  send(request: SendRequest): Promise<SendOutcome>;
  /** Closes the pool once in-flight attempts finish. */
  close(): Promise<void>;
}

export const DEFAULT_USER_AGENT = "Hookline/0.1 (+https://github.com/hookline)";

// After the kept bytes, read and discard up to this much more so that the socket can go back
// to the pool; past it, destroy the body (and with it the connection) instead of reading on.
const DRAIN_LIMIT = 64 * 1024;

export function createSender(options: SenderOptions): Sender {
  parseNetworks(options.policy.allowedNetworks); // a bad CIDR fails at start, not per attempt
  const now = options.now ?? Date.now;
  const cap = options.maxResponseBytes ?? 4096;
  const lookup = guardedLookup(options.policy, options.resolve);
  const alerts = tlsAlerts();
  // `ca` replaces the trusted roots rather than adding to them: the bundled ones go first.
  const ca = options.extraCaCerts?.length ? [...rootCertificates, ...options.extraCaCerts] : null;
  // Every pool is made alike (the same guard, limits and trust); only the certificate differs.
  // A pool's TLS settings become one secure context, made once: given as `ca`/`cert`/`key`,
  // tls.connect would parse them again, some 140 roots included, for every connection.
  const makeAgent = (tls?: { cert: string; key: string }, servername?: string): Dispatcher => {
    const context =
      ca === null && tls === undefined
        ? undefined
        : createSecureContext({ ...(ca === null ? {} : { ca }), ...tls });
    const connectTimeout = Math.min(options.timeoutMs, 10_000);
    const pool = {
      connections: options.connectionsPerOrigin ?? 16,
      pipelining: 1, // a slow response must not hold up the requests queued behind it
      // Backstops only: the attempt's own abort timer below is the timeout that is reported.
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    };
    if (options.proxyUrl !== undefined) {
      // Targets come as addresses already checked (proxy-target.ts): no lookup to guard here.
      // Given requestTls, ProxyAgent names the TLS server by requestTls.servername only, not by
      // the request's Host: a pool with TLS settings of its own is made per server name.
      const requestTls =
        context === undefined
          ? undefined
          : { secureContext: context, timeout: connectTimeout, servername };
      return new ProxyAgent({
        uri: options.proxyUrl,
        ...pool,
        proxyTls: { timeout: connectTimeout },
        ...(requestTls === undefined ? {} : { requestTls }),
      });
    }
    return new Agent({
      ...pool,
      connect: alerts.connector({
        timeout: connectTimeout,
        lookup,
        ...(context === undefined ? {} : { secureContext: context }),
      }),
    });
  };
  const agent = makeAgent();
  const certAgents = clientCertAgents(makeAgent, options.maxClientCertAgents);
  const namedAgents = keyedAgents(options.maxClientCertAgents);

  /** A POST through the pool, or through the proxy to the address the guard allowed. */
  async function post(
    url: string,
    init: {
      headers: Record<string, string>;
      body: Buffer | string;
      signal: AbortSignal | Deadline;
    },
    tlsClient?: { cert: string; key: string } | null,
  ): Promise<Dispatcher.ResponseData> {
    if (options.proxyUrl === undefined) {
      // Most endpoints have no certificate: one comparison, and the shared pool.
      const dispatcher = tlsClient == null ? agent : certAgents.get(tlsClient);
      return undiciRequest(url, { method: "POST", ...init, dispatcher });
    }
    const target = await pinnedTarget(url, options.policy, options.resolve);
    const headers = { ...init.headers, host: target.host };
    const dispatcher = proxiedAgent(url, tlsClient);
    return undiciRequest(target.url, { method: "POST", ...init, headers, dispatcher });
  }

  /** The proxy's pool for a request: the shared one unless it has TLS settings of its own. */
  function proxiedAgent(url: string, tlsClient?: { cert: string; key: string } | null) {
    if ((ca === null && tlsClient == null) || !url.startsWith("https:")) return agent;
    const name = new URL(url).hostname;
    const servername = isIP(name.replace(/^\[(.*)\]$/, "$1")) === 0 ? name : undefined;
    const id = `${servername ?? ""}\n${tlsClient?.cert ?? ""}\n${tlsClient?.key ?? ""}`;
    return namedAgents.get(id, () => makeAgent(tlsClient ?? undefined, servername));
  }
  // A URL (an endpoint's, a token endpoint's) is checked once, not parsed again for every attempt (the policy is fixed).
  const verdicts = new Map<string, Failure | null>();
  const targetVerdict = (url: string): Failure | undefined => {
    let verdict = verdicts.get(url);
    if (verdict === undefined) {
      verdict = refuseTarget(url, options.policy) ?? null;
      if (verdicts.size >= 10_000) verdicts.clear();
      verdicts.set(url, verdict);
    }
    return verdict ?? undefined;
  };

  const postToken: Post = (url, init) => {
    const refused = targetVerdict(url);
    if (refused !== undefined) return Promise.reject(new TokenTargetError(refused.message));
    return post(url, init);
  };
  // OAuth2 tokens live with the sender (on its thread), shared by its attempts.
  const tokens = createTokenCache({
    now,
    request: (auth) => requestToken(auth, postToken, AbortSignal.timeout(options.timeoutMs)),
  });

  async function send(req: SendRequest): Promise<SendOutcome> {
    const started = now();
    const custom = req.endpointHeaders ?? undefined;
    // What is recorded; what is sent adds the custom values and Authorization over their masks.
    // Custom headers cannot name traceparent or tracestate (custom-headers.ts), so these hold.
    // Assigned in place, not spread: this runs thousands of times a second on the sender's thread.
    const requestHeaders = baseHeaders(options.userAgent);
    if (custom !== undefined) Object.assign(requestHeaders, maskHeaders(custom));
    if (req.auth != null) requestHeaders.authorization = MASKED_VALUE;
    if (req.headers !== undefined) Object.assign(requestHeaders, req.headers);
    Object.assign(requestHeaders, traceHeaders(req));
    const record = (status?: number, responseBody?: string): AttemptRecord => ({
      requestHeaders,
      durationMs: Math.max(0, now() - started),
      ...(status === undefined ? {} : { status }),
      ...(responseBody === undefined ? {} : { responseBody }),
    });
    const fail = (failure: Failure, status?: number, body?: string): SendOutcome => ({
      kind: "failed",
      ...failure,
      ...record(status, body),
    });

    const refused = targetVerdict(req.url);
    if (refused) return fail(refused);
    try {
      Object.assign(requestHeaders, signatureHeaders(req, started));
    } catch (error) {
      // A secret we cannot sign with is our data's fault; resending the same cannot fix it.
      return fail({ error: "unknown", retryable: false, message: String(error) });
    }

    const deadline = new Deadline(options.timeoutMs);
    let authorization: string | undefined;
    if (req.auth != null) {
      try {
        const value = authorizationFor(req.auth, tokens);
        authorization = typeof value === "string" ? value : await value;
      } catch (error) {
        deadline.clear();
        return fail(tokenFailure(error, deadline.aborted, options.timeoutMs));
      }
    }
    const attempt = (auth: string | undefined) =>
      post(
        req.url,
        {
          headers: sentHeaders(requestHeaders, custom, auth),
          body: req.body,
          signal: deadline,
        },
        req.tlsClient,
      );
    let status: number | undefined;
    try {
      let response = await attempt(authorization);
      status = response.statusCode;
      if (status === 401 && authorization !== undefined) {
        // An OAuth2 token the endpoint no longer takes (revoked, or expired early): a new one,
        // and the same attempt once more (RFC 6750 §3.1, invalid_token).
        const renewed = renewedAuthorization(req.auth!, authorization, tokens);
        if (renewed !== undefined) {
          await response.body.dump();
          try {
            authorization = await renewed;
          } catch (error) {
            return fail(tokenFailure(error, deadline.aborted, options.timeoutMs), status);
          }
          response = await attempt(authorization);
          status = response.statusCode;
        }
      }
      const body = await readBody(response, cap);
      if (status >= 200 && status < 300) {
        return { kind: "delivered", ...record(status, body), status };
      }
      // 3xx included: undici's request() never follows redirects (v7 dropped maxRedirections;
      // following needs the redirect interceptor, which this agent does not install).
      return fail(statusFailure(status, response.headers, now()), status, body);
    } catch (error) {
      if (deadline.aborted) {
        const waitedFor = status === undefined ? "an answer" : "the response body";
        const message = `no complete answer within ${options.timeoutMs} ms (waited for ${waitedFor})`;
        return fail({ error: "timeout", retryable: true, message }, status);
      }
      const cause = alerts.alertOf(error) ?? error;
      const context = {
        https: req.url.startsWith("https:"),
        clientCertificate: req.tlsClient != null,
      };
      return fail(classifyError(cause, context), status);
    } finally {
      deadline.clear();
    }
  }

  return {
    send,
    close: async () => {
      await Promise.all([agent.close(), certAgents.close(), namedAgents.close()]);
    },
  };
}

/**
 * What is sent: the recorded headers with the secret values over their masks. Without custom
 * headers or auth (most endpoints), the recorded object itself.
 */
function sentHeaders(
  recorded: Record<string, string>,
  custom: Readonly<Record<string, string>> | undefined,
  authorization: string | undefined,
): Record<string, string> {
  if (authorization !== undefined) return { ...recorded, ...custom, authorization };
  return custom === undefined ? recorded : { ...recorded, ...custom };
}

/** A refused token URL, reported as the guard's refusal (classify-error.ts reads the code). */
class TokenTargetError extends Error {
  readonly code = "HOOKLINE_ADDRESS_BLOCKED";
}

/**
 * An attempt's deadline, as the signal undici takes: an EventEmitter that emits `abort` (undici
 * listens with `once` and removes its listener when the request ends). An AbortController and
 * its EventTarget cost about 4 µs an attempt on the sender's thread, more than anything else
 * here but the signing and undici itself.
 */
class Deadline extends EventEmitter {
  aborted = false;
  private readonly timer: NodeJS.Timeout;
  constructor(ms: number) {
    super();
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.emit("abort");
    }, ms);
  }
  clear(): void {
    clearTimeout(this.timer);
  }
}

/** The headers every attempt carries besides its signatures. */
export function baseHeaders(userAgent = DEFAULT_USER_AGENT): Record<string, string> {
  return { "content-type": "application/json", "user-agent": userAgent };
}

/**
 * The signature headers of one attempt, timestamped at its start. Shared with the listen
 * sender, so a delivery forwarded by `hookline listen` is signed exactly as one sent over HTTP.
 * Throws on a secret it cannot sign with.
 */
export function signatureHeaders(req: SendRequest, startedMs: number): Record<string, string> {
  const timestamp = Math.floor(startedMs / 1000);
  return sign(req.body, req.secrets, { scheme: req.scheme, id: req.eventId, timestamp });
}

/** Refuses what the connect-time guard cannot see: IP literals (net skips lookup for them). */
function refuseTarget(url: string, policy: AddressPolicy): Failure | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: "unknown", retryable: false, message: `invalid endpoint URL ${url}` };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { error: "unknown", retryable: false, message: `unsupported scheme ${parsed.protocol}` };
  }
  if (policy.httpsOnly === true && parsed.protocol === "http:") {
    return {
      error: "address_blocked",
      retryable: false,
      message: "plain http is refused (--https-only): the endpoint must use https",
    };
  }
  // The WHATWG parser has already turned 2130706433, 0x7f000001 and 0177.0.0.1 into 127.0.0.1.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) === 0) return undefined;
  const check = checkAddress(host, policy);
  return check.allowed
    ? undefined
    : { error: "address_blocked", retryable: false, message: check.reason };
}

function statusFailure(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
): Failure {
  if (status === 410) {
    // Gone: the receiver says this endpoint will never accept again (the dispatcher disables it).
    return { error: "http_status", retryable: false, message: "receiver answered 410 Gone" };
  }
  const location = status >= 300 && status < 400 ? headers.location : undefined;
  const message = location
    ? `receiver answered ${status} redirecting to ${String(location)}; redirects are not followed`
    : `receiver answered ${status}`;
  const retryAfterMs = parseRetryAfter(headers["retry-after"], nowMs);
  return {
    error: "http_status",
    retryable: true,
    message,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/**
 * The response body as kept for the attempt record. The usual answer is short and says how
 * long it is: read at once (undici's `text()` costs a fraction of an async iteration, which
 * showed in the sender's profile at thousands of attempts a second).
 */
function readBody(response: Dispatcher.ResponseData, cap: number): Promise<string> {
  const length = Number(response.headers["content-length"] ?? Number.NaN);
  return length <= cap ? response.body.text() : readCapped(response.body, cap);
}

/** The first `cap` bytes as UTF-8; the rest is drained (small) or cut off (large). */
async function readCapped(body: Readable, cap: number): Promise<string> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let seen = 0;
  // Leaving the loop early ends the iterator, which destroys the body and its socket.
  for await (const chunk of body as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (keptBytes < cap) {
      const part = chunk.subarray(0, cap - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    if (seen > cap + DRAIN_LIMIT) break;
  }
  return Buffer.concat(kept).toString("utf8");
}
