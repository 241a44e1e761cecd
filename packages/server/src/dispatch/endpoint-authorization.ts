import { basicAuthorization, parseAuth } from "../endpoint-options/endpoint-auth.ts";
import type { Failure } from "./classify-error.ts";
import { classifyError } from "./classify-error.ts";
import type { TokenCache } from "./oauth2-tokens.ts";
import { AttemptErrorKind } from "./outcome.ts";

/**
 * The `Authorization` an attempt sends for its endpoint's `auth` (JSON text). Basic is known at
 * once; an OAuth2 token may have to be got first (oauth2-tokens.ts).
 */
export function authorizationFor(stored: string, tokens: TokenCache): string | Promise<string> {
  const auth = parseAuth(stored);
  if (auth.type === "basic") return basicAuthorization(auth);
  return tokens.get(stored, auth).then((token) => `Bearer ${token}`);
}

/**
 * After the endpoint answered 401 to `sent`: the value to send the attempt again with, once, or
 * undefined when there is nothing new to send (Basic credentials do not change by asking).
 */
export function renewedAuthorization(
  stored: string,
  sent: string,
  tokens: TokenCache,
): Promise<string> | undefined {
  const auth = parseAuth(stored);
  if (auth.type === "basic") return undefined;
  return tokens.refresh(stored, auth, sent.slice("Bearer ".length)).then((t) => `Bearer ${t}`);
}

/**
 * An attempt that could not get its token. Not the endpoint's failure, so not one of the kinds
 * its circuit breaker counts (a refused token URL is the operator's rule, as a refused target).
 */
export function tokenFailure(error: unknown, timedOut: boolean, timeoutMs: number): Failure {
  const failure = (message: string): Failure => ({
    error: AttemptErrorKind.authFailed,
    retryable: true,
    message: `no OAuth2 token: ${message}`,
  });
  if (timedOut) return failure(`the token endpoint gave none within ${timeoutMs} ms`);
  if ((error as { code?: unknown }).code === "HOOKLINE_TOKEN_FAILED") {
    return failure((error as Error).message);
  }
  const cause = classifyError(error, {});
  if (cause.error === AttemptErrorKind.addressBlocked) {
    return { ...cause, message: `token_url refused: ${cause.message}` };
  }
  return failure(`token endpoint unreachable (${cause.error}): ${cause.message}`);
}
