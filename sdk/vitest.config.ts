import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// The suites run the SDK's sources: "@onekey/source" makes `@onekey/sdk/...` imports (from the
// devstack helpers the tests use) resolve to sdk/src, the same module instances the tests import.
const conditions = ["@onekey/source", ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Suites start their own anvil/arlocal on free ports; keep parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
