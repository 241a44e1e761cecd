import type { ClaimedDelivery, EndpointRow, Store } from "../store/types.ts";
import type { SecretBox } from "./secret-box.ts";

const isSecretSetting = (key: string) => key.endsWith("_secret");

/** Custom header values are sealed one by one; their names stay readable. */
function eachValue(
  headers: Readonly<Record<string, string>>,
  change: (value: string) => string,
): Record<string, string> {
  const changed: Record<string, string> = {};
  for (const name of Object.keys(headers)) changed[name] = change(headers[name]!);
  return changed;
}

/**
 * The store as the rest of the server sees it when secrets are sealed at rest: endpoint secrets
 * are sealed on every write and opened on every read, whatever database is underneath. Only
 * this seam sees both forms.
 */
export function sealedStore(store: Store, box: SecretBox): Store {
  const seal = (e: EndpointRow): EndpointRow => ({
    ...e,
    secret: box.seal(e.secret),
    previousSecret: e.previousSecret === null ? null : box.seal(e.previousSecret),
    headers: eachValue(e.headers, box.seal),
    auth: e.auth === null ? null : box.seal(e.auth),
    tlsClientKey: e.tlsClientKey === null ? null : box.seal(e.tlsClientKey),
  });
  const open = (e: EndpointRow): EndpointRow => ({
    ...e,
    secret: box.open(e.secret),
    previousSecret: e.previousSecret === null ? null : box.open(e.previousSecret),
    headers: eachValue(e.headers, box.open),
    auth: e.auth === null ? null : box.open(e.auth),
    tlsClientKey: e.tlsClientKey === null ? null : box.open(e.tlsClientKey),
  });
  // A store may hand the deliveries of one endpoint the same secrets, headers and certificate
  // objects (SQLite's claim reads an endpoint once per claim): each is opened once, and the
  // opened ones are shared alike.
  const opened = new WeakMap<object, object>();
  const openOnce = <T extends object>(sealed: T, openIt: (sealed: T) => T): T => {
    let result = opened.get(sealed) as T | undefined;
    if (result === undefined) {
      result = openIt(sealed);
      opened.set(sealed, result);
    }
    return result;
  };
  const openSecrets = (secrets: readonly string[]) => secrets.map((s) => box.open(s));
  const openHeaders = (headers: Readonly<Record<string, string>>) => eachValue(headers, box.open);
  const openTls = (tls: { cert: string; key: string }) => ({
    cert: tls.cert,
    key: box.open(tls.key),
  });
  const openClaim = (d: ClaimedDelivery): ClaimedDelivery => ({
    ...d,
    secrets: openOnce(d.secrets, openSecrets),
    ...(d.headers == null ? {} : { headers: openOnce(d.headers, openHeaders) }),
    ...(d.auth == null ? {} : { auth: box.open(d.auth) }),
    ...(d.tlsClient == null ? {} : { tlsClient: openOnce(d.tlsClient, openTls) }),
  });

  const overrides: Partial<Store> = {
    async createEndpoint(endpoint, key) {
      const result = await store.createEndpoint(seal(endpoint), key);
      if (result.kind === "conflict") return result;
      // A new endpoint is answered with what the caller gave; a replay with what was stored.
      return {
        kind: result.kind,
        endpoint: result.kind === "created" ? endpoint : open(result.endpoint),
      };
    },
    getEndpoint: async (tenantId, id) => {
      const e = await store.getEndpoint(tenantId, id);
      return e && open(e);
    },
    listEndpoints: async (tenantId, options) => {
      const page = await store.listEndpoints(tenantId, options);
      return { ...page, data: page.data.map(open) };
    },
    tenantEndpoints: async (tenantId) => (await store.tenantEndpoints(tenantId)).map(open),
    updateEndpoint: (endpoint, now) => store.updateEndpoint(seal(endpoint), now),
    claimDue: async (input) => (await store.claimDue(input)).map(openClaim),
    // Settings named `…_secret` (the portal links' HMAC secret) are sealed like endpoint secrets.
    getSetting: async (key) => {
      const value = await store.getSetting(key);
      return value !== undefined && isSecretSetting(key) ? box.open(value) : value;
    },
    setSetting: (key, value) =>
      store.setSetting(key, isSecretSetting(key) ? box.seal(value) : value),
  };
  // A Proxy rather than a spread: a store may be a class whose methods live on its prototype.
  // Bound methods are made once: the delivery path calls the store thousands of times a second.
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const override = overrides[property as keyof Store];
      if (override !== undefined) return override;
      const known = bound.get(property);
      if (known !== undefined) return known;
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      const method = value.bind(target);
      bound.set(property, method);
      return method;
    },
  });
}
