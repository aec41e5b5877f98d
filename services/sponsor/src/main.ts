// Runs the sponsor service from the environment:
//
//   ONEKEY_SPONSOR_KEY=0x… ONEKEY_PAYMASTER=0x… ONEKEY_RPC_URL=http://127.0.0.1:8545 \
//   [ONEKEY_SPONSOR_POLICY=policy.json] [DATABASE_URL=postgres://… | ONEKEY_SPONSOR_DB_DIR=.onekey/sponsor] \
//   [ONEKEY_SIMPLE_ACCOUNT_FACTORY=0x…] [ONEKEY_SPONSOR_CORS_ORIGINS=https://app.example] \
//   [ONEKEY_SPONSOR_REFUSAL_ROWS=1000] [ONEKEY_SPONSOR_REFUSAL_DAYS=30] \
//   ONEKEY_SPONSOR_PORT=4338 node services/sponsor/src/main.ts
//
// The signing key comes from the environment only, never from the repository or a file.
import type { Address, Hex } from "viem";
import { loadPolicy } from "./policy.ts";
import { startSponsorService } from "./service.ts";

const env = process.env;
const need = (name: string) => {
  const v = env[name];
  if (!v) {
    console.error(`sponsor-service: set ${name}`);
    process.exit(2);
  }
  return v;
};
const positive = (name: string) => {
  const n = Number(env[name]);
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`sponsor-service: ${name} must be a whole number above 0`);
    process.exit(2);
  }
  return n;
};
try {
  const service = await startSponsorService({
    port: Number(env.ONEKEY_SPONSOR_PORT ?? 4338),
    rpcUrl: need("ONEKEY_RPC_URL"),
    paymaster: need("ONEKEY_PAYMASTER") as Address,
    signerKey: need("ONEKEY_SPONSOR_KEY") as Hex,
    policy: loadPolicy(env.ONEKEY_SPONSOR_POLICY, Number(env.ONEKEY_SPONSOR_VALIDITY ?? 600)),
    databaseUrl: env.DATABASE_URL || undefined,
    dbDir: env.ONEKEY_SPONSOR_DB_DIR ?? ".onekey/sponsor",
    simpleAccountFactory: (env.ONEKEY_SIMPLE_ACCOUNT_FACTORY || undefined) as Address | undefined,
    corsOrigins: env.ONEKEY_SPONSOR_CORS_ORIGINS ? env.ONEKEY_SPONSOR_CORS_ORIGINS.split(",").map((s) => s.trim()) : undefined,
    refusalLimits: {
      ...(env.ONEKEY_SPONSOR_REFUSAL_ROWS ? { maxRowsPerProject: positive("ONEKEY_SPONSOR_REFUSAL_ROWS") } : {}),
      ...(env.ONEKEY_SPONSOR_REFUSAL_DAYS ? { retentionMs: positive("ONEKEY_SPONSOR_REFUSAL_DAYS") * 86_400_000 } : {}),
    },
  });
  console.log(`sponsor service on ${service.url} (signer ${service.signer}, ${service.store.kind})`);
  const stop = () => void service.stop().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} catch (error) {
  console.error(`sponsor-service: ${(error as Error).message}`);
  process.exit(1);
}
