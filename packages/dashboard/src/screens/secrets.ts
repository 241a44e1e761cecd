// Secrets come only in the answers of create and rotate_secret. They are kept in memory, for
// this page's life, so that "reveal" works after navigating; never in storage.
const secrets = new Map<string, string>();

export const rememberSecret = (endpointId: string, secret: string) =>
  void secrets.set(endpointId, secret);
export const knownSecret = (endpointId: string) => secrets.get(endpointId);
