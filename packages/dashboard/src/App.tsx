import { useMemo, useState } from "react";
import { ApiContext } from "./api/ApiContext.ts";
import { createApi } from "./api/client.ts";
import type { PortalSession } from "./api/types.ts";
import { Layout } from "./components/Layout.tsx";
import { PortalClosed, PortalGate } from "./components/PortalGate.tsx";
import { SignIn } from "./components/SignIn.tsx";
import { LiveProvider } from "./live/LiveProvider.tsx";
import { isPortalToken } from "./portal.ts";
import { Screen } from "./Screen.tsx";
import { session } from "./session.ts";

export function App() {
  const [apiKey, setApiKey] = useState(session.read);
  // Leaving a portal does not drop its holder on a form asking for a key they do not have.
  const [leftPortal, setLeftPortal] = useState(false);
  const api = useMemo(() => (apiKey === null ? null : createApi(apiKey)), [apiKey]);

  if (api === null) {
    if (leftPortal) return <PortalClosed onSignIn={() => setLeftPortal(false)} />;
    return (
      <SignIn
        onSignedIn={(key) => {
          session.save(key);
          setApiKey(key);
        }}
      />
    );
  }
  const signOut = () => {
    session.clear();
    setLeftPortal(isPortalToken(api.apiKey));
    setApiKey(null);
  };
  const screens = (portal?: PortalSession) => (
    <ApiContext.Provider value={api}>
      <LiveProvider apiKey={api.apiKey}>
        <Layout onSignOut={signOut} portal={portal}>
          <Screen />
        </Layout>
      </LiveProvider>
    </ApiContext.Provider>
  );
  if (isPortalToken(api.apiKey)) {
    return (
      <PortalGate api={api} onLeave={signOut}>
        {screens}
      </PortalGate>
    );
  }
  return screens();
}
