// A client certificate per endpoint for mutual TLS (endpoint-options/client-certificate.ts).
// Forward-only. `tls_client_cert`: the PEM chain, public, stored as it is; `tls_client_key`: the
// private key, sealed like the signing secret. Both NULL for an endpoint without one (nearly
// all), so its claims read two NULLs and the sender takes the shared connection pool.
export const sql = `
ALTER TABLE endpoints ADD COLUMN tls_client_cert TEXT;
ALTER TABLE endpoints ADD COLUMN tls_client_key TEXT;
`;
