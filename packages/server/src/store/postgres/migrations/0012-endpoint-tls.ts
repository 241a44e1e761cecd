// Mirrors SQLite's 0012 (see sqlite/migrations/0012-endpoint-tls.ts): an endpoint's client
// certificate (PEM) and its sealed private key, NULL when it has none. Forward-only.
export const sql = `
ALTER TABLE endpoints ADD COLUMN tls_client_cert text;
ALTER TABLE endpoints ADD COLUMN tls_client_key text;
`;
