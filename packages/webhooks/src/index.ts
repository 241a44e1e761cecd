export * from "./client/index.ts";
export { type VerificationErrorCode, WebhookVerificationError } from "./errors.ts";
export type { Event } from "./event.ts";
export type { BillingEventObjects, Invoice, Price, Subscription } from "./events/billing.ts";
export type { PaymentEvent, PaymentEvents, PaymentEventType } from "./events/catalog.ts";
export type { Customer, CustomerEventObjects, PaymentMethod } from "./events/customers.ts";
export type { Dispute, DisputeEventObjects } from "./events/disputes.ts";
export type { Charge, PaymentEventObjects, PaymentIntent, Refund } from "./events/payments.ts";
export type { HeaderInput } from "./headers.ts";
export { generateKeyPair, generateSecret } from "./node/generate.ts";
export { type SignOptions, type SignScheme, sign } from "./node/sign.ts";
export { verify } from "./node/verify.ts";
export type { VerifyOptions, VerifyScheme } from "./options.ts";
export type { RawPayload } from "./payload.ts";
export { createWebhookHandler, type WebhookHandler } from "./receive/handler.ts";
export {
  type Claim,
  type ClaimedEvent,
  ClaimStatus,
  type Inbox,
  type InboxEvent,
  InboxState,
  type ObjectVersion,
  type ObjectVersionStore,
} from "./receive/inbox/inbox.ts";
export { createMemoryInbox, type MemoryInboxOptions } from "./receive/inbox/memory.ts";
export {
  type ErrorContext,
  type EventContext,
  type EventHandler,
  type EventHandlers,
  HandlerMode,
  type WebhookHandlerOptions,
} from "./receive/options.ts";
export { type DeliverySequence, readSequence } from "./receive/sequence.ts";
export { createStaleEventGuard, type StaleGuardOptions } from "./receive/stale-guard.ts";
export { verifyAsync } from "./web/verify-async.ts";
