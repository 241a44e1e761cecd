import type { WebhookAttempt } from "../api/types.ts";
import { Time } from "../components/Time.tsx";

/** One HTTP request of a delivery: what was sent, what came back, how long it took. */
export function AttemptView({ attempt: a }: { attempt: WebhookAttempt }) {
  const ok = a.error === null;
  return (
    <li className="attempt" data-attempt={a.id}>
      <p>
        <span className={`badge ${ok ? "status-succeeded" : "status-failed"}`}>
          {a.status_code ?? a.error?.kind ?? "no answer"}
        </span>{" "}
        <Time at={a.created} /> · {a.duration_ms} ms
        {a.error && <span className="error-text"> · {a.error.message}</span>}
      </p>
      {a.trace_parent && (
        // traceparent is 00-<trace id>-<span id>-<flags>: the ids to look up in a tracing tool.
        <p className="trace muted">
          Trace <code>{a.trace_parent.slice(3, 35)}</code> · span{" "}
          <code>{a.trace_parent.slice(36, 52)}</code>
        </p>
      )}
      <h4>Request headers</h4>
      <table className="headers">
        <tbody>
          {Object.entries(a.request_headers).map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>
                <code>{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>Response body</h4>
      {a.response_body ? (
        <pre className="body">{a.response_body}</pre>
      ) : (
        <p className="muted">(empty)</p>
      )}
    </li>
  );
}
