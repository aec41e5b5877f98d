import react from "@vitejs/plugin-react";
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Three projects: component tests in happy-dom (the UI's logic, the SDK's browser entries),
// end-to-end tests in Node driving Chromium against the local stack (one stack per run), and live
// tests against third-party services, skipped without their credentials.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [react()],
        resolve: { conditions: ["@onekey/source", "browser", "import", "module", "default"] },
        test: {
          name: "components",
          environment: "happy-dom",
          // The org console keeps its unit and component tests beside their sources (app/src/org).
          include: ["test/components/**/*.test.{ts,tsx}", "src/**/*.test.{ts,tsx}"],
        },
      },
      {
        resolve: { conditions: ["@onekey/source", ...defaultServerConditions] },
        ssr: { resolve: { conditions: ["@onekey/source", ...defaultServerConditions] } },
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // One browser at a time on this 2-core machine.
          fileParallelism: false,
        },
      },
      {
        // Live tests against third-party services: each runs only with its credentials in the
        // environment and is reported as skipped otherwise (test/live-*.test.ts).
        resolve: { conditions: ["@onekey/source", ...defaultServerConditions] },
        ssr: { resolve: { conditions: ["@onekey/source", ...defaultServerConditions] } },
        test: { name: "live", environment: "node", include: ["test/live-*.test.ts"], testTimeout: 300_000, hookTimeout: 300_000 },
      },
    ],
  },
});
