import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Tests import `@onekey/sdk/...` from its sources ("@onekey/source", as tsc does); the Ponder
// processes they spawn load the built package (dist/), which scripts/test.sh builds first.
const conditions = ["@onekey/source", ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Each file spawns anvil + ponder; run files one at a time on 2 cores.
    fileParallelism: false,
  },
});
