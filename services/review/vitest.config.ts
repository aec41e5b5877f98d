import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Tests import `@onekey/sdk/...` from its sources ("@onekey/source", as tsc does), so they need no
// rebuild of the SDK after an edit; child processes load the built package (dist/).
const conditions = ["@onekey/source", ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Simulators and SoftHSM tokens are real; a loaded 2-core machine can be slow.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
