import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Each file spawns anvil + ponder; run files one at a time on 2 cores.
    fileParallelism: false,
  },
});
