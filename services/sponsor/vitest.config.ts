import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Suites start anvil, alto and PostgreSQL on free ports; 2 cores.
    maxWorkers: 1,
  },
});
