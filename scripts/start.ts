// `npm start`: runs the whole OneKey stack locally until Ctrl-C.
import { spawn } from "node:child_process";
import { loadStackConfig, PORT_ENV_NAMES } from "./stack/config.ts";
import { preflight, stackPrerequisites } from "./stack/preflight.ts";
import type { Stack } from "./stack/index.ts";

const config = await loadStackConfig(process.env, { clean: process.argv.includes("--clean") });
let stack: Stack | undefined;
try {
  preflight(stackPrerequisites(config.root));
  // Loaded only after the preflight: its imports are what a half-installed machine lacks.
  const { startStack } = await import("./stack/index.ts");
  stack = await startStack(config);
} catch (error) {
  console.error(`\nOneKey stack failed to start: ${(error as Error).message}`);
  process.exit(1);
}
const { info } = stack;
console.log("\nOneKey local stack is up\n");
if (info.urls.app) console.log(`  Open the app: ${info.urls.app}   (the person's page; the organisation's console at ${info.urls.app}/org)\n`);
for (const [name, url] of Object.entries(info.urls)) console.log(`  ${name.padEnd(10)} ${url}`);
console.log("\ncontracts");
for (const [name, address] of Object.entries(info.addresses)) console.log(`  ${name.padEnd(22)} ${address}`);
console.log("\ndemo accounts (anvil's public dev keys; local chain only)");
for (const a of info.accounts) console.log(`  ${a.role.padEnd(15)} ${a.privateKey}`);
console.log(`\nstate: ${info.dataDir}   logs: ${info.logsDir}`);
// Watching the demo in the app: the demo's accounts are anvil's dev keys, which the app's dev
// account picker offers in the same order.
const devIndex = (role: string) => info.accounts.findIndex((a) => a.role === role);
const watch = info.urls.app
  ? [
      `Watch the demo live in the app: open ${info.urls.app}/org and connect "Dev account ${devIndex("org-admin")}" (the demo's org-admin;`,
      `"Dev account ${devIndex("reviewer")}" is its reviewer). Its project appears under "Your projects" as the demo creates it; paste the API`,
      "key the demo prints (step 1) into Audit, Reviews or Analytics to see its grants, attestations and audit entries as they happen.",
    ]
  : [];
if (process.argv.includes("--demo")) {
  if (watch.length) console.log(`\n${watch.join("\n")}`);
  console.log("\nRunning the demo (scripts/demo.ts), pausing a moment between steps…");
  // A pace a person can follow in the app (ONEKEY_DEMO_STEP_MS=0 runs it flat out).
  const env: NodeJS.ProcessEnv = { ...process.env, ONEKEY_DATA_DIR: config.dataDir, ONEKEY_DEMO_STEP_MS: process.env.ONEKEY_DEMO_STEP_MS ?? "2000" };
  for (const [key, name] of Object.entries(PORT_ENV_NAMES)) env[name] = String(config.ports[key as keyof typeof config.ports]);
  const code = await new Promise<number | null>((resolve) => {
    spawn(process.execPath, [new URL("./demo.ts", import.meta.url).pathname], { env, stdio: "inherit" }).on("exit", resolve);
  });
  console.log(code === 0 ? "\nThe stack keeps running; Ctrl-C stops everything." : `\nThe demo failed (exit ${code}); the stack keeps running for inspection.`);
} else {
  console.log("Run `npm run demo` in another terminal. Ctrl-C stops everything.");
  if (watch.length) console.log(`\n${watch.join("\n")}`);
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  console.log("stopped");
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
for (const service of stack.services) {
  void service.exited.then((code) => {
    if (stopping) return;
    console.error(`\n${service.name} exited unexpectedly (code ${code}); see ${service.logFile}`);
    void shutdown("child exit");
  });
}
