import { describe, expect, it } from "vitest";
import { traceHeaders } from "../src/dispatch/trace-headers.ts";
import {
  childTraceParent,
  incomingTrace,
  parseTraceParent,
  parseTraceState,
} from "../src/trace/trace-context.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = `00-${TRACE}-00f067aa0ba902b7-01`;
const VALID = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

describe("W3C trace context: what an ingest request brings and what an attempt sends", () => {
  it("accepts a valid traceparent and normalizes a later version to 00", () => {
    expect(parseTraceParent(PARENT)).toBe(PARENT);
    expect(parseTraceParent(` ${PARENT} `)).toBe(PARENT);
    expect(parseTraceParent(`01-${TRACE}-00f067aa0ba902b7-01-more`)).toBe(PARENT);
  });

  it("ignores an invalid traceparent: malformed, uppercase, zero ids, version ff, extra fields on 00, several headers", () => {
    for (const bad of [
      "",
      "nonsense",
      PARENT.toUpperCase(),
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `ff-${TRACE}-00f067aa0ba902b7-01`,
      `00-${TRACE}-00f067aa0ba902b7-01-extra`,
      `00-${TRACE}-00f067aa0ba902b7-1`,
      `00-${TRACE}0-00f067aa0ba902b7-01`,
    ]) {
      expect(parseTraceParent(bad), bad).toBeUndefined();
    }
    expect(parseTraceParent([PARENT, PARENT])).toBeUndefined();
    expect(parseTraceParent(undefined)).toBeUndefined();
  });

  it("passes tracestate on joined and trimmed, and drops a malformed or oversized one", () => {
    expect(parseTraceState("rojo=00f067aa0ba902b7 , congo=t61rcWkgMzE")).toBe(
      "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
    );
    expect(parseTraceState(["a=1", "b@sys=2"])).toBe("a=1,b@sys=2");
    expect(parseTraceState("a=1,,")).toBe("a=1");
    expect(parseTraceState("Upper=1")).toBeUndefined();
    expect(parseTraceState("a=1\r\nx: y")).toBeUndefined();
    expect(parseTraceState("a=")).toBeUndefined();
    expect(parseTraceState(Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(","))).toBe(
      undefined,
    );
    expect(incomingTrace({ traceparent: "bad", tracestate: "a=1" })).toBeUndefined();
    expect(incomingTrace({ traceparent: PARENT, tracestate: "a=1" })).toEqual({
      parent: PARENT,
      state: "a=1",
    });
  });

  it("makes a child span of the event's trace, keeping only the sampled flag", () => {
    expect(childTraceParent(PARENT, "b7ad6b7169203331")).toBe(`00-${TRACE}-b7ad6b7169203331-01`);
    expect(childTraceParent(`00-${TRACE}-00f067aa0ba902b7-00`, "b7ad6b7169203331")).toBe(
      `00-${TRACE}-b7ad6b7169203331-00`,
    );
    expect(childTraceParent(`00-${TRACE}-00f067aa0ba902b7-03`, "b7ad6b7169203331")).toBe(
      `00-${TRACE}-b7ad6b7169203331-01`,
    );
  });

  it("gives each attempt a span id of its own, and one without a stored trace a new trace", () => {
    const spans = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const { traceparent } = traceHeaders({ traceParent: PARENT });
      const [, trace, span] = VALID.exec(traceparent!)!;
      expect(trace).toBe(TRACE);
      spans.add(span!);
    }
    expect(spans.size).toBe(500);
    const fresh = traceHeaders({ traceParent: null });
    expect(fresh.traceparent).toMatch(VALID);
    expect(fresh.traceparent).not.toContain(TRACE);
    expect(fresh.tracestate).toBeUndefined();
    expect(traceHeaders({ traceParent: PARENT, traceState: "a=1" }).tracestate).toBe("a=1");
  });
});
