/**
 * The secrets that sign an attempt made at `now`: the current one, and the one it replaced
 * while that one's grace period runs (a rotation), newest first.
 */
export function signingSecrets(
  endpoint: {
    secret: string;
    previousSecret: string | null;
    previousSecretExpiresAt: number | null;
  },
  now: number,
): string[] {
  const secrets = [endpoint.secret];
  if (endpoint.previousSecret !== null && (endpoint.previousSecretExpiresAt ?? 0) > now) {
    secrets.push(endpoint.previousSecret);
  }
  return secrets;
}
