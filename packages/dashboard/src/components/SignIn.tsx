import { type FormEvent, useState } from "react";
import { createApi, errorText, HooklineApiError } from "../api/client.ts";

/** Asks for an API key and checks it against the API before keeping it. */
export function SignIn({ onSignedIn }: { onSignedIn(apiKey: string): void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const apiKey = key.trim();
    if (apiKey === "") {
      setError("Enter an API key.");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await createApi(apiKey).endpoints.list({ limit: 1 });
      onSignedIn(apiKey);
    } catch (failure) {
      setError(
        failure instanceof HooklineApiError && failure.status === 401
          ? `This API key was refused: ${failure.message}`
          : `Could not reach the API: ${errorText(failure)}`,
      );
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <h1>Hookline</h1>
      <form onSubmit={submit} aria-describedby={error ? "sign-in-error" : undefined}>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={error ? true : undefined}
          // biome-ignore lint/a11y/noAutofocus: the only field of the page
          autoFocus
        />
        <p className="hint">
          The key <code>hookline serve</code> printed on first start, or{" "}
          <code>HOOKLINE_API_KEY</code>. It is kept in this tab only.
        </p>
        {error && (
          <p id="sign-in-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
