// `npm start`: runs the whole OneKey stack locally until Ctrl-C.
import { spawn } from "node:child_process";
import { loadStackConfig, PORT_ENV_NAMES } from "./stack/config.ts";
import { preflight, stackPrerequisites } from "./stack/preflight.ts";

const config = await loadStackConfig(process.env, { clean: process.argv.includes("--clean") });
let stack;
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
if (process.argv.includes("--demo")) {
  console.log("\nRunning the demo (scripts/demo.ts)…");
  const env: NodeJS.ProcessEnv = { ...process.env, ONEKEY_DATA_DIR: config.dataDir };
  for (const [key, name] of Object.entries(PORT_ENV_NAMES)) env[name] = String(config.ports[key as keyof typeof config.ports]);
  const code = await new Promise<number | null>((resolve) => {
    spawn(process.execPath, [new URL("./demo.ts", import.meta.url).pathname], { env, stdio: "inherit" }).on("exit", resolve);
  });
  console.log(code === 0 ? "\nThe stack keeps running; Ctrl-C stops everything." : `\nThe demo failed (exit ${code}); the stack keeps running for inspection.`);
} else {
  console.log("Run `npm run demo` in another terminal. Ctrl-C stops everything.");
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
