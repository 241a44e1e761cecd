import { Ajv } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

// JSON bodies are validated as sent: no type coercion, no silent removal of unknown fields (an
// unknown parameter is an error, as in Stripe's API). Query strings and path parameters arrive
// as text, so they alone are coerced ("limit=10" → 10, "delivery_success=false" → false).
const strict = new Ajv({
  allErrors: false,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
});
const coercing = new Ajv({
  allErrors: false,
  coerceTypes: true,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
});

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === "body" ? strict : coercing).compile(schema);

/** A validator for a JSON body part that a route checks itself (each item of a batch). */
export function compileBodyPart<T>(schema: object) {
  return strict.compile<T>(schema);
}
