// What receivers ask of an endpoint (docs/api.md, "Endpoint options"). Forward-only.
// `headers`: custom headers sent with every delivery, JSON `{name: sealed value}`; `filter`: a
// payload filter, JSON. Both NULL when unset, so an endpoint without them costs the claim and
// the fan-out nothing to decode. `auth`: how the sender authenticates to the endpoint, sealed
// JSON (endpoint-options/endpoint-auth.ts).
export const sql = `
ALTER TABLE endpoints ADD COLUMN headers TEXT;
ALTER TABLE endpoints ADD COLUMN filter TEXT;
ALTER TABLE endpoints ADD COLUMN auth TEXT;
`;
