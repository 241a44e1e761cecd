import { describe, expect, it } from "vitest";
import { classifyError } from "../src/dispatch/classify-error.ts";
import { AddressBlockedError } from "../src/dispatch/guarded-lookup.ts";

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("classifyError", () => {
  it("finds a blocked address anywhere in the cause chain, and never retries it", () => {
    const wrapped = new Error("fetch failed", {
      cause: new AddressBlockedError("x.test resolves to no allowed address"),
    });
    expect(classifyError(wrapped)).toEqual({
      error: "address_blocked",
      retryable: false,
      message: "x.test resolves to no allowed address",
    });
  });

  it("reads the errors of an AggregateError (every address of a host failed)", () => {
    const all = new AggregateError([coded("ECONNREFUSED"), coded("ENETUNREACH")], "all failed");
    expect(classifyError(all)).toMatchObject({ error: "connection_failed", retryable: true });
  });

  it.each([
    ["EAI_AGAIN", "dns_failure"],
    ["UND_ERR_CONNECT_TIMEOUT", "timeout"],
    ["UND_ERR_BODY_TIMEOUT", "timeout"],
    ["ECONNRESET", "connection_failed"],
    ["UND_ERR_SOCKET", "connection_failed"],
    ["CERT_HAS_EXPIRED", "connection_failed"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "connection_failed"],
  ])("maps %s to %s", (code, kind) => {
    expect(classifyError(coded(code)).error).toBe(kind);
  });

  it("reports anything else as a retryable unknown with its message", () => {
    expect(classifyError(new TypeError("oops"))).toEqual({
      error: "unknown",
      retryable: true,
      message: "TypeError: oops",
    });
    expect(classifyError("a string")).toMatchObject({ error: "unknown", message: "a string" });
  });
});
