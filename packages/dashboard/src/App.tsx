import { useMemo, useState } from "react";
import { ApiContext } from "./api/ApiContext.ts";
import { createApi } from "./api/client.ts";
import { Layout } from "./components/Layout.tsx";
import { SignIn } from "./components/SignIn.tsx";
import { LiveProvider } from "./live/LiveProvider.tsx";
import { Screen } from "./Screen.tsx";
import { session } from "./session.ts";

export function App() {
  const [apiKey, setApiKey] = useState(session.read);
  const api = useMemo(() => (apiKey === null ? null : createApi(apiKey)), [apiKey]);

  if (api === null) {
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
    setApiKey(null);
  };
  return (
    <ApiContext.Provider value={api}>
      <LiveProvider apiKey={api.apiKey}>
        <Layout onSignOut={signOut}>
          <Screen />
        </Layout>
      </LiveProvider>
    </ApiContext.Provider>
  );
}
