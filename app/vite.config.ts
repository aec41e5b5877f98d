import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  // The SDK's browser build: `browser` picks the IndexedDB key store and fetch-based storage.
  resolve: { conditions: ["browser", "import", "module", "default"] },
  build: { outDir: "dist", sourcemap: true, target: "es2022" },
});
