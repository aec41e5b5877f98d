import { defineConfig } from "vitest/config";
import { defaultServerConditions } from "vite";

// The organisation console's unit and component tests (until the app suite's own config covers
// them): SDK imports resolve to its sources, as tsc does.
const conditions = ["@onekey/source", ...defaultServerConditions];

export default defineConfig({
  root: new URL("../..", import.meta.url).pathname,
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { include: ["src/org/**/*.test.{ts,tsx}"], testTimeout: 60_000 },
});
