import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "./failure.ts";

// `--tls-cert FILE --tls-key FILE` of `endpoints create` and `endpoints update`: a client
// certificate the server presents to the endpoint for mutual TLS. The files are read here and
// sent as PEM text; the server checks that they parse and belong together.

export interface TlsCertFlags {
  tlsCert?: string;
  tlsKey?: string;
  removeTlsCert?: boolean;
}

export function tlsCertOptions<C extends Command>(command: C, options: { update: boolean }): C {
  command
    .option("--tls-cert <file>", "client certificate (PEM) for mutual TLS; with --tls-key")
    .option("--tls-key <file>", "its private key (PEM, unencrypted; sealed at rest)");
  if (options.update) command.option("--remove-tls-cert", "stop presenting a client certificate");
  return command;
}

/** The params the flags ask for, only those given. */
export function tlsCertParams(flags: TlsCertFlags) {
  if (flags.removeTlsCert) {
    if (flags.tlsCert !== undefined || flags.tlsKey !== undefined) {
      throw new UsageError("--remove-tls-cert and --tls-cert/--tls-key contradict each other");
    }
    return { tls_client_cert: null, tls_client_key: null };
  }
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return {};
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) {
    throw new UsageError("--tls-cert and --tls-key go together: give both files");
  }
  return {
    tls_client_cert: readPem("--tls-cert", flags.tlsCert),
    tls_client_key: readPem("--tls-key", flags.tlsKey),
  };
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
}
