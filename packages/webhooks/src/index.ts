export { type VerificationErrorCode, WebhookVerificationError } from "./errors.ts";
export type { Event } from "./event.ts";
export type { HeaderInput } from "./headers.ts";
export { generateKeyPair, generateSecret } from "./node/generate.ts";
export { type SignOptions, type SignScheme, sign } from "./node/sign.ts";
export { verify } from "./node/verify.ts";
export type { VerifyOptions, VerifyScheme } from "./options.ts";
export type { RawPayload } from "./payload.ts";
export { verifyAsync } from "./web/verify-async.ts";
