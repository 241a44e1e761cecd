import { type ApiError, invalidParam, missingParam, unknownParam } from "./errors.ts";

/** The shape of one Ajv error, as Fastify attaches them to `error.validation`. */
interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Turns the first schema violation into a Stripe-shaped error naming the parameter. */
export function fromValidation(errors: readonly AjvError[], context: string | undefined): ApiError {
  const first = errors[0];
  if (first === undefined) return invalidParam("", "Invalid request.");
  const path = first.instancePath
    .split("/")
    .filter(Boolean)
    .map((part, i) => (i === 0 ? part : `[${part}]`))
    .join("");
  if (first.keyword === "required") {
    const missing = String(first.params.missingProperty);
    return missingParam(path ? `${path}[${missing}]` : missing);
  }
  if (first.keyword === "additionalProperties") {
    const extra = String(first.params.additionalProperty);
    return unknownParam(path ? `${path}[${extra}]` : extra);
  }
  const param = path || context || "request";
  return invalidParam(param, `Invalid ${param}: ${first.message ?? "invalid value"}.`);
}
