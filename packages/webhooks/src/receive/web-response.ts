import type { Answer } from "./answers.ts";

/** The answer as a fetch `Response`, for the web-standard handler. */
export function toResponse(answer: Answer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
