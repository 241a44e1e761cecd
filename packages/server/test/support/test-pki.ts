import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate and its key, as PEM text, and where they are on disk. */
export interface Issued {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

// A config of its own, so that the system's openssl.cnf changes nothing in what is made.
const CONFIG = `
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
subjectAltName = IP:127.0.0.1, DNS:receiver.test
extendedKeyUsage = serverAuth
[client]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
`;

/**
 * A private PKI made with the `openssl` CLI in a temporary folder: CAs, and certificates they
 * sign for a TLS server on 127.0.0.1 or for a client. P-256 keys: made in milliseconds.
 */
export function createTestPki() {
  const dir = mkdtempSync(join(tmpdir(), "hookline-pki-"));
  const config = join(dir, "openssl.cnf");
  writeFileSync(config, CONFIG);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  const issued = (name: string): Issued => ({
    cert: read(`${name}.crt`),
    key: read(`${name}.key`),
    certPath: join(dir, `${name}.crt`),
    keyPath: join(dir, `${name}.key`),
  });
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  return {
    dir,
    /** A self-signed CA, valid two days. */
    ca(name: string): Issued {
      openssl(
        ...["req", "-x509", ...newKey, "-config", config, "-extensions", "ca"],
        ...["-subj", `/CN=${name}`, "-days", "2", "-keyout", `${name}.key`, "-out", `${name}.crt`],
      );
      return issued(name);
    },
    /** A certificate signed by `ca`, for a server on 127.0.0.1 (or named receiver.test), or for a client. */
    issue(ca: string, name: string, use: "server" | "client"): Issued {
      openssl(
        "req",
        "-new",
        ...newKey,
        "-config",
        config,
        "-subj",
        `/CN=${name}`,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
      );
      openssl(
        ...["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`],
        ...["-set_serial", `0x${randomBytes(8).toString("hex")}`, "-days", "2"],
        ...["-extfile", config, "-extensions", use, "-out", `${name}.crt`],
      );
      return issued(name);
    },
    /** `key` encrypted under a passphrase (PKCS#8, AES-256). */
    encrypted(name: string): string {
      openssl(
        "pkcs8",
        "-topk8",
        "-in",
        `${name}.key`,
        "-passout",
        "pass:hookline",
        "-out",
        `${name}.enc.key`,
      );
      return read(`${name}.enc.key`);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether the `openssl` CLI can be run here. */
export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}
