import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { CERT_BLOCK } from "../endpoint-options/client-certificate.ts";

/**
 * `HOOKLINE_EXTRA_CA_CERTS`: a PEM file of CA certificates the sender trusts for endpoints
 * besides Node's bundled roots. Like Node's NODE_EXTRA_CA_CERTS, but for deliveries only (not
 * for the rest of the process), and read where the configuration is, so that a missing file or
 * a bad certificate stops the start with a message naming the setting. Returns the PEM blocks.
 */
export function readExtraCaCerts(path: string | undefined): string[] {
  if (path === undefined) return [];
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  const blocks = text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error(`${path} holds no PEM certificate`);
  for (const [index, block] of blocks.entries()) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      throw new Error(`certificate ${index + 1} of ${path} cannot be parsed`);
    }
    if (!cert.ca) throw new Error(`certificate ${index + 1} of ${path} is not a CA certificate`);
  }
  return blocks;
}
