// `npm start`: runs the whole OneKey stack locally until Ctrl-C.
import { loadStackConfig } from "./stack/config.ts";
import { startStack } from "./stack/index.ts";

const config = await loadStackConfig(process.env, { clean: process.argv.includes("--clean") });
let stack;
try {
  stack = await startStack(config);
} catch (error) {
  console.error(`\nOneKey stack failed to start: ${(error as Error).message}`);
  process.exit(1);
}
const { info } = stack;
console.log("\nOneKey local stack is up\n");
for (const [name, url] of Object.entries(info.urls)) console.log(`  ${name.padEnd(10)} ${url}`);
console.log("\ncontracts");
for (const [name, address] of Object.entries(info.addresses)) console.log(`  ${name.padEnd(22)} ${address}`);
console.log("\ndemo accounts (anvil's public dev keys; local chain only)");
for (const a of info.accounts) console.log(`  ${a.role.padEnd(15)} ${a.privateKey}`);
console.log(`\nstate: ${info.dataDir}   logs: ${info.logsDir}\nRun \`npm run demo\` in another terminal. Ctrl-C stops everything.`);

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
