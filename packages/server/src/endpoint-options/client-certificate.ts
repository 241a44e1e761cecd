import { createPrivateKey, X509Certificate } from "node:crypto";

// A client certificate the sender presents to an endpoint for mutual TLS (`tls_client_cert`,
// `tls_client_key`, PEM). The certificate is public and stored as it is; the key is sealed at
// rest like the signing secret (secrets/sealed-store.ts). Answers show what the certificate
// says (subject, issuer, expiry), never the key.

/** A certificate chain (leaf first, intermediates after) rarely passes a few KB; 32 KB is generous. */
export const MAX_CERT_CHARS = 32 * 1024;
/** An RSA-8192 key in PEM is under 7 KB. */
export const MAX_KEY_CHARS = 16 * 1024;
/** Most certificates in one chain (the leaf and its intermediates). */
export const MAX_CHAIN_LENGTH = 5;

export const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface ClientCertificate {
  /** The leaf first, then its intermediates, as PEM blocks and nothing else. */
  cert: string;
  /** The private key as unencrypted PKCS#8 PEM. */
  key: string;
}

export interface CertificateRefusal {
  param: "tls_client_cert" | "tls_client_key";
  message: string;
}

/**
 * Parses and checks a certificate and its key as given at create or update, and returns them
 * in the form the store keeps (only the PEM blocks of the chain, the key as PKCS#8), or why not.
 */
export function checkClientCertificate(
  certText: string,
  keyText: string,
  nowMs: number,
): ClientCertificate | CertificateRefusal {
  const refuse = (param: CertificateRefusal["param"], message: string) => ({ param, message });
  if (certText.length > MAX_CERT_CHARS) {
    return refuse("tls_client_cert", `at most ${MAX_CERT_CHARS} characters of PEM.`);
  }
  if (keyText.length > MAX_KEY_CHARS) {
    return refuse("tls_client_key", `at most ${MAX_KEY_CHARS} characters of PEM.`);
  }
  const blocks = certText.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) {
    return refuse(
      "tls_client_cert",
      "expected a PEM certificate (-----BEGIN CERTIFICATE----- …), the leaf first.",
    );
  }
  if (blocks.length > MAX_CHAIN_LENGTH) {
    return refuse("tls_client_cert", `at most ${MAX_CHAIN_LENGTH} certificates in the chain.`);
  }
  const chain: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      chain.push(new X509Certificate(block));
    } catch {
      return refuse("tls_client_cert", `certificate ${index + 1} of the PEM cannot be parsed.`);
    }
  }
  const leaf = chain[0]!;
  if (Date.parse(leaf.validTo) <= nowMs) {
    return refuse("tls_client_cert", `the certificate expired on ${isoDate(leaf.validTo)}.`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyText)) {
    return refuse("tls_client_key", "expected a PEM private key (-----BEGIN PRIVATE KEY----- …).");
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({ key: keyText, format: "pem" });
  } catch (error) {
    const encrypted =
      /ENCRYPTED/.test(keyText) || (error as { code?: string }).code === "ERR_MISSING_PASSPHRASE";
    return refuse(
      "tls_client_key",
      encrypted
        ? "the key is encrypted with a passphrase: give it unencrypted (it is sealed at rest)."
        : "the private key cannot be parsed.",
    );
  }
  if (!leaf.checkPrivateKey(key)) {
    return refuse(
      "tls_client_key",
      `the key does not belong to the certificate (${oneLine(leaf.subject)}).`,
    );
  }
  return {
    cert: blocks.join("\n"),
    key: key.export({ type: "pkcs8", format: "pem" }) as string,
  };
}

export function isRefusal(
  checked: ClientCertificate | CertificateRefusal,
): checked is CertificateRefusal {
  return "param" in checked;
}

/** What answers show of an endpoint's certificate: what it says about itself, never the key. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Unix seconds: after this the endpoint will refuse it. */
  expires_at: number;
  fingerprint_sha256: string;
}

// An endpoint list shows the same few certificates over and over: parse each once.
const summaries = new Map<string, CertificateSummary>();
const MAX_SUMMARIES = 256;

export function certificateSummary(cert: string | null): CertificateSummary | null {
  if (cert === null) return null;
  let summary = summaries.get(cert);
  if (summary === undefined) {
    const leaf = new X509Certificate(cert.match(CERT_BLOCK)?.[0] ?? cert);
    summary = {
      subject: oneLine(leaf.subject),
      issuer: oneLine(leaf.issuer),
      expires_at: Math.floor(Date.parse(leaf.validTo) / 1000),
      fingerprint_sha256: leaf.fingerprint256,
    };
    if (summaries.size >= MAX_SUMMARIES) summaries.clear();
    summaries.set(cert, summary);
  }
  return summary;
}

/** Node gives a distinguished name one attribute a line ("CN=a\nO=b"): shown as "CN=a, O=b". */
function oneLine(name: string): string {
  return name.split("\n").filter(Boolean).join(", ");
}

function isoDate(validTo: string): string {
  return new Date(Date.parse(validTo)).toISOString();
}

/** What a claim carries from the two columns: `null` unless both are set (the common case). */
export function tlsClientOf(
  cert: string | null,
  key: string | null,
): { cert: string; key: string } | null {
  return cert === null || key === null ? null : { cert, key };
}
