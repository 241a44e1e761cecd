/**
 * `HOOKLINE_PROXY_URL` / `--proxy-url`: an HTTP forward proxy, `http://host:port` (or https://
 * for a TLS connection to the proxy itself), credentials allowed (sent as Proxy-Authorization).
 * Returns it normalized; throws with a message that never repeats the password.
 */
export function checkProxyUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error("expected an absolute URL such as http://proxy.internal:3128");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(
      `expected an http:// or https:// proxy (CONNECT tunnels), not ${url.protocol.slice(0, -1)}`,
    );
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw new Error(`expected only a scheme, host and port, as in http://proxy.internal:3128`);
  }
  return url.toString();
}

/** The proxy URL as the start banner shows it: its password masked. */
export function redactedProxyUrl(text: string): string {
  const url = new URL(text);
  if (url.password !== "") url.password = "****";
  return url.toString();
}
