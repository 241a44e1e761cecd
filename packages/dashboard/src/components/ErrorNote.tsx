import { errorText } from "../api/client.ts";

export function ErrorNote({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return (
    <p role="alert" className="error">
      {errorText(error)}
    </p>
  );
}
