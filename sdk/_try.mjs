import { build } from "esbuild";
const r = await build({ stdin: { contents: process.argv[2], resolveDir: process.cwd(), loader: "ts" }, bundle: true, platform: "browser", format: "esm", write: false, metafile: true, logLevel: "silent", define: { global: "globalThis" } }).catch((e) => { console.log("FAIL", e.errors.slice(0, 8).map((x) => x.text).join("\n")); process.exit(0); });
const ins = Object.keys(r.metafile.inputs);
console.log("ok", (r.outputFiles[0].text.length / 1024).toFixed(0), "KiB;", ins.filter((p) => !p.includes("node_modules/")).join(" "));
