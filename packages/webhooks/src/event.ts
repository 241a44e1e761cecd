/**
 * A webhook event as Hookline (and Stripe) sends it. `verify` guarantees only what it checks: a
 * JSON object with a string `type`; the other fields are what a conforming sender puts there.
 */
export interface Event<TType extends string = string, TObject = Record<string, unknown>> {
  id: string;
  object: "event";
  type: TType;
  /** Unix seconds. */
  created: number;
  livemode?: boolean;
  api_version?: string | null;
  pending_webhooks?: number;
  /** Hookline: the key whose events a `per_key` endpoint receives in order; null for none. */
  ordering_key?: string | null;
  request?: { id: string | null; idempotency_key: string | null } | null;
  data: {
    object: TObject;
    previous_attributes?: Partial<TObject>;
  };
}
