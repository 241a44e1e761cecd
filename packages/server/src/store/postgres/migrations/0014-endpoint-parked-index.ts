// An endpoint's failed and skipped deliveries, by creation time: what recover requeues (as
// sqlite/migrations/0014). Partial, so a delivery enters it only when it fails for good or is
// skipped. Building it reads `deliveries` once and holds writes to it meanwhile (migrations run
// in one transaction; operations.md, "Upgrades").
export const sql = `
CREATE INDEX deliveries_endpoint_parked ON deliveries (endpoint_id, created_at)
  WHERE status IN ('failed', 'skipped');
`;
