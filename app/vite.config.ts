import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const COPY = "?privy-copy";
/**
 * Privy's SDK gets its own copy of what it imports (viem, ox, @noble): shared with the person's
 * page, code inside those modules that only Privy uses would land in chunks every page loads
 * (+11 KiB gzip measured). With a copy, all of it stays in the chunk that loads on email login.
 * The copy is marked by a query on the module id, carried from module to module below Privy.
 */
function privyOwnCopy(): Plugin {
  return {
    name: "onekey:privy-own-copy",
    enforce: "pre",
    apply: "build",
    async resolveId(source, importer, options) {
      if (!importer) return null;
      const inCopy = importer.endsWith(COPY);
      if (!inCopy && !importer.includes("/node_modules/@privy-io/")) return null;
      const r = await this.resolve(source, inCopy ? importer.slice(0, -COPY.length) : importer, { ...options, skipSelf: true });
      if (!r || r.external || r.id.startsWith("\0") || r.id.includes("?") || r.id.includes("/node_modules/@privy-io/")) return r;
      return { ...r, id: r.id + COPY };
    },
  };
}

export default defineConfig({
  plugins: [privyOwnCopy(), react()],
  // The SDK's browser build: `browser` picks the IndexedDB key store and fetch-based storage.
  resolve: { conditions: ["browser", "import", "module", "default"] },
  build: { outDir: "dist", sourcemap: true, target: "es2022" },
});
