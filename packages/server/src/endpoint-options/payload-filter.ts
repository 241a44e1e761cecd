import sift from "sift";

// A payload filter: a MongoDB-style query over the event as delivered (`{type, data: {object},
// …}`), evaluated at fan-out by sift. An event the filter rejects gets no delivery to the
// endpoint. Only the operators below are let through: sift also knows `$where` (code from the
// caller, run in this process) and `$regex` (a pattern that can backtrack for seconds on one
// event, on the ingest path of every tenant), which are refused, as is anything unknown.

/** A filter as stored and given: a JSON object. */
export type PayloadFilter = Record<string, unknown>;

const { createQueryTester, $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte, $exists, $and, $or, $not } =
  sift as unknown as typeof import("sift");

const OPERATIONS = { $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte, $exists, $and, $or, $not };
const LOGICAL = new Set(["$and", "$or"]);
const LISTS = new Set(["$in", "$nin"]);
const ORDERED = new Set(["$gt", "$gte", "$lt", "$lte"]);

/** Bounds on a filter, so one endpoint's filter cannot make ingest slow for everyone. */
export const MAX_FILTER_BYTES = 8192;
const MAX_DEPTH = 8;
const MAX_LIST = 256;

export interface FilterRefusal {
  /** Where in the filter: `filter.data.object.amount.$regex`, `filter.$or[1]`. */
  param: string;
  message: string;
}

class Refused extends Error {
  readonly param: string;
  constructor(param: string, message: string) {
    super(message);
    this.param = param;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Why `filter` cannot be an endpoint's filter, with the path of the offending part. */
export function checkPayloadFilter(filter: unknown, param = "filter"): FilterRefusal | undefined {
  if (!isObject(filter)) return { param, message: "a filter is a JSON object." };
  const bytes = Buffer.byteLength(JSON.stringify(filter));
  if (bytes > MAX_FILTER_BYTES) {
    return { param, message: `the filter is ${bytes} bytes; at most ${MAX_FILTER_BYTES}.` };
  }
  try {
    checkQuery(filter, param, 0);
    // sift has the last word on what it can compile (nothing above should reach this).
    createQueryTester(filter, { operations: OPERATIONS });
  } catch (error) {
    if (error instanceof Refused) return { param: error.param, message: error.message };
    return { param, message: `the filter does not compile: ${String(error)}` };
  }
  return undefined;
}

/** A query object: field paths and `$and`/`$or` at its top. */
function checkQuery(query: Record<string, unknown>, at: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new Refused(at, `nested deeper than ${MAX_DEPTH} levels.`);
  for (const [key, value] of Object.entries(query)) {
    const here = `${at}.${key}`;
    if (key.startsWith("$")) {
      if (!LOGICAL.has(key)) throw unknownOperator(here, key, "at the top of a query");
      if (!Array.isArray(value) || value.length === 0 || !value.every(isObject)) {
        throw new Refused(here, `${key} takes a non-empty list of queries.`);
      }
      value.forEach((q, i) => {
        checkQuery(q as Record<string, unknown>, `${here}[${i}]`, depth + 1);
      });
    } else {
      checkPath(key, here);
      checkCondition(value, here, depth + 1);
    }
  }
}

function checkPath(path: string, at: string): void {
  if (path === "" || path.split(".").some((part) => part === "")) {
    throw new Refused(at, "a field path is dot-separated names, such as data.object.amount.");
  }
}

/** What a field is compared with: a value (equality) or an object of operators. */
function checkCondition(value: unknown, at: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new Refused(at, `nested deeper than ${MAX_DEPTH} levels.`);
  if (!isObject(value)) return; // a value to equal: any JSON value
  const keys = Object.keys(value);
  const operators = keys.filter((k) => k.startsWith("$"));
  if (operators.length === 0) return; // an object to equal exactly
  if (operators.length !== keys.length) {
    throw new Refused(at, "mixes operators ($…) and field names in one object.");
  }
  for (const op of operators) {
    const here = `${at}.${op}`;
    const operand = value[op];
    if (op === "$not") {
      if (!isObject(operand) || !Object.keys(operand).every((k) => k.startsWith("$"))) {
        throw new Refused(here, "$not takes an object of operators, such as {$gt: 100}.");
      }
      checkCondition(operand, here, depth + 1);
    } else if (LISTS.has(op)) {
      if (!Array.isArray(operand) || operand.length > MAX_LIST) {
        throw new Refused(here, `${op} takes a list of at most ${MAX_LIST} values.`);
      }
    } else if (ORDERED.has(op)) {
      if (typeof operand !== "number" && typeof operand !== "string") {
        throw new Refused(here, `${op} compares with a number or a string.`);
      }
    } else if (op === "$exists") {
      if (typeof operand !== "boolean") throw new Refused(here, "$exists takes true or false.");
    } else if (op !== "$eq" && op !== "$ne") {
      throw unknownOperator(here, op, "on a field");
    }
  }
}

function unknownOperator(at: string, op: string, where: string): Refused {
  return new Refused(
    at,
    `${op.slice(0, 50)} is not allowed ${where}; use $eq $ne $in $nin $gt $gte $lt $lte $exists $not on fields, $and $or around queries.`,
  );
}

/** A checked filter as a test of one event (the parsed JSON the endpoint would receive). */
export function compileFilter(filter: PayloadFilter): (event: unknown) => boolean {
  return createQueryTester(filter, { operations: OPERATIONS });
}

const compiled = new WeakMap<PayloadFilter, (event: unknown) => boolean>();

/**
 * Whether `event` passes `filter`, compiling each filter object once: the endpoint cache keeps
 * the same row (and so the same filter object) until the tenant's endpoints change.
 */
export function passesFilter(filter: PayloadFilter, event: unknown): boolean {
  try {
    let test = compiled.get(filter);
    if (test === undefined) {
      test = compileFilter(filter);
      compiled.set(filter, test);
    }
    return test(event);
  } catch {
    // Only a filter stored under older rules could get here: deliver rather than drop.
    return true;
  }
}
