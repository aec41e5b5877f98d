import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Suites start their own anvil/arlocal on free ports; keep parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
