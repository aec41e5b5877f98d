import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Tests import `@onekey/sdk/...` from its sources ("@onekey/source", as tsc does), so they need no
// rebuild of the SDK after an edit; child processes load the built package (dist/).
const conditions = ["@onekey/source", ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Suites start anvil, alto and PostgreSQL on free ports; 2 cores.
    maxWorkers: 1,
  },
});
