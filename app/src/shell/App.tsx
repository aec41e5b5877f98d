// Loads /config.json, then mounts the providers and routes: / is the person's page, /org/* the
// organisation's console (app/src/org, its own folder).
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState, type ReactNode } from "react";
import { BrowserRouter, Route, Routes } from "react-router";
import { PersonPage } from "../person/PersonPage.tsx";
import { loadConfig, type AppConfig } from "./config.ts";
import { ErrorView, Layout } from "./Layout.tsx";
import { OneKeyProvider } from "./OneKey.tsx";

// The console (charts, GraphiQL) loads only when /org is opened: the person's page stays small.
const OrgConsole = lazy(() => import("../org/index.tsx"));

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });

export function ConfigGate({ children, load = loadConfig }: { children: (config: AppConfig) => ReactNode; load?: () => Promise<AppConfig> }) {
  const [state, setState] = useState<{ config?: AppConfig; error?: unknown; attempt: number }>({ attempt: 0 });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry trigger, not a value the effect reads
  useEffect(() => {
    let live = true;
    load().then(
      (config) => live && setState((s) => ({ ...s, config, error: undefined })),
      (error) => live && setState((s) => ({ ...s, error })),
    );
    return () => void (live = false);
  }, [load, state.attempt]);
  if (state.error)
    return (
      <main>
        <ErrorView error={state.error} onRetry={() => setState((s) => ({ attempt: s.attempt + 1 }))} />
      </main>
    );
  if (!state.config)
    return (
      <main>
        <p aria-busy="true">Loading OneKey...</p>
      </main>
    );
  return <>{children(state.config)}</>;
}

export function App() {
  return (
    <ConfigGate>
      {(config) => (
        <QueryClientProvider client={queryClient}>
          <OneKeyProvider config={config}>
            <BrowserRouter>
              <Layout>
                <Routes>
                  <Route path="/" element={<PersonPage />} />
                  <Route
                    path="/org/*"
                    element={
                      <Suspense fallback={<p aria-busy="true">Loading the console...</p>}>
                        <OrgConsole />
                      </Suspense>
                    }
                  />
                  <Route
                    path="*"
                    element={
                      <p>
                        There is no page here. <a href="/">Go to my identity</a>.
                      </p>
                    }
                  />
                </Routes>
              </Layout>
            </BrowserRouter>
          </OneKeyProvider>
        </QueryClientProvider>
      )}
    </ConfigGate>
  );
}
