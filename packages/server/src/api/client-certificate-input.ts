import {
  type ClientCertificate,
  checkClientCertificate,
  isRefusal,
} from "../endpoint-options/client-certificate.ts";
import { invalidParam } from "./errors.ts";

/**
 * `tls_client_cert` and `tls_client_key` of a create or an update, which go together: both PEM
 * strings set them, both null remove them, both absent leave them as they are (`undefined`).
 * One without the other is refused naming the missing one, so nothing is half-written.
 */
export function checkTlsClientInput(
  body: { tls_client_cert?: string | null; tls_client_key?: string | null },
  nowMs: number,
): ClientCertificate | null | undefined {
  const cert = body.tls_client_cert;
  const key = body.tls_client_key;
  if (cert === undefined && key === undefined) return undefined;
  if (cert === null && key === null) return null;
  // Name the one that is missing, or the null beside a certificate or key that is given.
  if (cert === undefined || (cert === null && typeof key === "string")) {
    throw invalidParam(
      "tls_client_cert",
      "Invalid tls_client_cert: give the certificate with its key (tls_client_key), or null for both to remove them.",
    );
  }
  if (typeof key !== "string" || typeof cert !== "string") {
    throw invalidParam(
      "tls_client_key",
      "Invalid tls_client_key: give the key with its certificate (tls_client_cert), or null for both to remove them.",
    );
  }
  const checked = checkClientCertificate(cert, key, nowMs);
  if (isRefusal(checked)) {
    throw invalidParam(checked.param, `Invalid ${checked.param}: ${checked.message}`);
  }
  return checked;
}
