// Byte decoding without `Buffer`, so the WebCrypto path runs on edge runtimes that lack it.

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const LOWER_HEX = /^[0-9a-f]*$/;

/** Decodes standard base64 (padding optional); `undefined` when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text) || text.length % 4 === 1) return undefined;
  let binary: string;
  try {
    binary = atob(text.padEnd(text.length + ((4 - (text.length % 4)) % 4), "="));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Decodes lowercase hex (what Stripe sends); `undefined` for anything else. */
export function decodeLowerHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !LOWER_HEX.test(text)) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export const utf8 = new TextEncoder();
