import { createContext, useContext } from "react";
import type { Api } from "./client.ts";

export const ApiContext = createContext<Api | null>(null);

/** The API of the signed-in key; screens render only once signed in. */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (api === null) throw new Error("useApi outside a signed-in session");
  return api;
}
