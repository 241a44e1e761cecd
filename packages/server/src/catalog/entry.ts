import type { TSchema } from "@sinclair/typebox";
import type { Scenario } from "./scenario.ts";

/** What an event carries in `data`. */
export interface EventData<TObject> {
  object: TObject;
  previous_attributes?: Record<string, unknown>;
}

/** One event type of the catalog: what it means, the JSON Schema of its object, an example. */
export interface EventTypeDef<TObject> {
  description: string;
  /** JSON Schema of `data.object`. */
  schema: TSchema;
  /** A realistic `data` for this type, built from a scenario's ids. */
  fixture: (s: Scenario) => EventData<TObject>;
}

export const def = <TObject>(
  description: string,
  schema: TSchema,
  fixture: (s: Scenario) => EventData<TObject>,
): EventTypeDef<TObject> => ({ description, schema, fixture });
