// The edge entry point: WebCrypto only, no `node:` imports anywhere in its module graph.
export { type VerificationErrorCode, WebhookVerificationError } from "./errors.ts";
export type { Event } from "./event.ts";
export type { HeaderInput } from "./headers.ts";
export type { VerifyOptions, VerifyScheme } from "./options.ts";
export type { RawPayload } from "./payload.ts";
export { verifyAsync } from "./web/verify-async.ts";
