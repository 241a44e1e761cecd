// `@hookline/webhooks/client`: the typed API client. fetch only: no runtime dependencies.
export type { ListDeliveriesParams } from "./deliveries.ts";
export { HooklineApiError, HooklineConnectionError } from "./errors.ts";
export type { CreateManyOptions, ListEventsParams } from "./events.ts";
export { Hookline, type HooklineOptions } from "./hookline.ts";
export type { List, ListParams, ListPromise } from "./list.ts";
export type {
  ApiKey,
  BatchEventParams,
  BatchItemResult,
  ClientCertificateSummary,
  CreateEndpointParams,
  CreateEventParams,
  CreateTenantParams,
  DeletedTenant,
  DeletedWebhookEndpoint,
  DeliveryStatus,
  EndpointAuthParams,
  EndpointAuthSummary,
  EndpointHealthReport,
  EndpointHealthSummary,
  EndpointRecovery,
  EndpointTest,
  FilterTest,
  PayloadFilter,
  PortalLink,
  RequestOptions,
  Tenant,
  UpdateEndpointParams,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
} from "./types.ts";
