import type { Dispatcher } from "undici";

/** Most client-certificate pools kept open at once; the least recently used one closes first. */
export const DEFAULT_MAX_CLIENT_CERT_AGENTS = 64;

/**
 * Connection pools that differ in their TLS settings, made on first use and kept by an id.
 * Bounded: past `max` ids in use, the least recently used pool is closed (its requests in flight
 * finish first; undici's close() waits for them) and made again if needed.
 */
export function keyedAgents(max = DEFAULT_MAX_CLIENT_CERT_AGENTS) {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  const agents = new Map<string, Dispatcher>();
  return {
    get(id: string, make: () => Dispatcher): Dispatcher {
      let agent = agents.get(id);
      if (agent !== undefined) {
        agents.delete(id);
      } else {
        agent = make();
        if (agents.size >= max) {
          const [oldest, pool] = agents.entries().next().value as [string, Dispatcher];
          agents.delete(oldest);
          void pool.close().catch(() => undefined);
        }
      }
      agents.set(id, agent);
      return agent;
    },
    size: () => agents.size,
    async close(): Promise<void> {
      const pools = [...agents.values()];
      agents.clear();
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
}

/**
 * One connection pool per distinct client certificate. A TLS connection is bound to the
 * certificate presented in its handshake, so endpoints with different certificates cannot share
 * sockets; endpoints with the same one (an organisation's several URLs) do. Endpoints without a
 * certificate never come here: they use the sender's shared pool.
 */
export function clientCertAgents(
  make: (tls: { cert: string; key: string }) => Dispatcher,
  max = DEFAULT_MAX_CLIENT_CERT_AGENTS,
) {
  const agents = keyedAgents(max);
  return {
    // Keyed by both: the key is checked against the certificate at create, but a pool must
    // never present a key other than the one its endpoint has now.
    get: (tls: { cert: string; key: string }) =>
      agents.get(`${tls.cert}\n${tls.key}`, () => make(tls)),
    size: agents.size,
    close: agents.close,
  };
}
