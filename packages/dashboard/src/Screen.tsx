import { type ReactNode, useEffect } from "react";
import { matchRoute, usePath } from "./router.ts";
import { EndpointDetail } from "./screens/EndpointDetail.tsx";
import { Endpoints } from "./screens/Endpoints.tsx";
import { EventDetail } from "./screens/EventDetail.tsx";
import { Events } from "./screens/Events.tsx";
import { Overview } from "./screens/Overview.tsx";

const TITLES = {
  overview: "Overview",
  endpoints: "Endpoints",
  endpoint: "Endpoint",
  events: "Events",
  event: "Event",
  missing: "Not found",
} as const;

/** The screen for the current path. */
export function Screen() {
  const route = matchRoute(usePath());
  useEffect(() => {
    document.title = `${TITLES[route.screen]} · Hookline`;
  }, [route.screen]);
  let screen: ReactNode;
  switch (route.screen) {
    case "overview":
      screen = <Overview />;
      break;
    case "endpoints":
      screen = <Endpoints />;
      break;
    case "endpoint":
      screen = <EndpointDetail key={route.id} id={route.id} />;
      break;
    case "events":
      screen = <Events />;
      break;
    case "event":
      screen = <EventDetail key={route.id} id={route.id} />;
      break;
    default:
      screen = <h1>Nothing here</h1>;
  }
  return screen;
}
