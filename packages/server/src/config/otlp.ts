/**
 * The OTLP/HTTP traces URL from the standard OpenTelemetry variables: the signal's own
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else OTEL_EXPORTER_OTLP_ENDPOINT with
 * `v1/traces` appended (the OTLP exporter specification's rule); undefined when neither is set.
 */
export function otlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const own = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (own) return checked("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", own).toString();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return undefined;
  const url = checked("OTEL_EXPORTER_OTLP_ENDPOINT", base);
  url.pathname = `${url.pathname.replace(/\/$/, "")}/v1/traces`;
  return url.toString();
}

function checked(name: string, text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // said below
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new Error(
      `${name}: expected an http(s) URL such as http://localhost:4318 (OTLP over HTTP), got '${text.slice(0, 100)}'`,
    );
  }
  return url;
}
