import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { findEventType } from "./catalog.ts";

/** Why an event does not fit the catalog: the parameter at fault, in the API's bracket form. */
export interface CatalogMismatch {
  param: string;
  message: string;
}

// Validation only reads: no coercion, no defaults, so an accepted event is stored byte for byte
// as it was sent.
const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
const compiled = new Map<string, ValidateFunction>();

/**
 * Checks `object` against the schema of `type`; `undefined` when it fits. Used by
 * `--strict-event-types`, and by tests to check the fixtures.
 */
export function checkEventObject(type: string, object: unknown): CatalogMismatch | undefined {
  const found = findEventType(type);
  if (found === undefined) {
    return {
      param: "type",
      message: `Unknown event type '${type.slice(0, 200)}': this server only accepts the types of its catalog (GET /v1/event_types).`,
    };
  }
  let validate = compiled.get(type);
  if (validate === undefined) {
    validate = ajv.compile(found.schema);
    compiled.set(type, validate);
  }
  if (validate(object)) return undefined;
  return describe(type, validate.errors?.[0]);
}

function describe(type: string, error: ErrorObject | undefined): CatalogMismatch {
  const path = ["data", "object", ...(error?.instancePath.split("/").filter(Boolean) ?? [])];
  if (error?.keyword === "required") path.push(String(error.params.missingProperty));
  const param = path.map((part, i) => (i === 0 ? part : `[${part}]`)).join("");
  const reason =
    error?.keyword === "required"
      ? "is required"
      : error?.keyword === "enum" || error?.keyword === "const" || error?.keyword === "anyOf"
        ? "is not one of the allowed values"
        : (error?.message ?? "is invalid");
  return { param, message: `Invalid ${param} for ${type}: it ${reason}.` };
}
