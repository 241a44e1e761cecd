// Shared shapes of the payment objects. Stripe's objects carry many more fields; these are the
// ones receivers act on, typed as Stripe documents them. Unknown extra fields stay reachable
// through the index signature, so a newer API version never makes a handler fail to compile.

/** Unix seconds. */
export type Timestamp = number;

/** An id, or the expanded object when the sender expanded it. */
export type Expandable<T extends { id: string }> = string | T;

/** Free-form key/value pairs set by the integration. */
export type Metadata = Record<string, string>;

/** Fields every object has. */
export interface ApiObject<TObject extends string> {
  id: string;
  object: TObject;
  livemode?: boolean;
  [field: string]: unknown;
}

export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface LastError {
  code?: string;
  decline_code?: string;
  message?: string;
  type: string;
  [field: string]: unknown;
}
