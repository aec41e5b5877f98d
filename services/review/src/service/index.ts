// startReviewService: the case database, the worker, the indexer trigger, the outbox and the API
// in one process. Several processes may share one PostgreSQL database: cases are claimed into
// leases, so each step runs in one of them at a time.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createPublicClient, createWalletClient, http, toHex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { openStore } from "../db/store.ts";
import type { BreakerStore } from "../orchestration/fallback.ts";
import { createAuth } from "./auth.ts";
import type { ReviewLogLine, ReviewServiceOptions } from "./config.ts";
import { createEngine } from "./engine.ts";
import { createHttp } from "./http.ts";
import { parseCorsOrigins } from "../api/cors.ts";
import { reviewKeyId } from "../keys/ids.ts";
import { createOutbox } from "./outbox.ts";
import { createSync } from "./sync.ts";

export type { ReviewProject, ReviewServiceOptions, ReviewLogLine } from "./config.ts";
export { FIELD_NAMES } from "./config.ts";
export { signReviewerRequest, reviewerRequestMessage, REVIEWER_HEADERS } from "./auth.ts";

export type ReviewService = Awaited<ReturnType<typeof startReviewService>>;

/** A JSON line per event on stdout: fixed keys, ids and codes only. */
export const jsonLog = (line: ReviewLogLine) => process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), ...line })}\n`);

export async function startReviewService(o: ReviewServiceOptions) {
  const log = o.log ?? jsonLog;
  const owner = o.instanceId ?? `review-${randomBytes(4).toString("hex")}`;
  const store = o.store ?? (await openStore({ databaseUrl: o.databaseUrl, dir: o.dbDir }));
  const transport = http(o.rpcUrl);
  // viem's default receipt polling is 4 s; an attestation waits for its receipt inside the
  // attester lock, so poll at about the chain's block time (Base: 2 s blocks).
  const pollingInterval = o.pollingIntervalMs ?? 250;
  const publicClient = createPublicClient({ transport, cacheTime: 0, pollingInterval }) as PublicClient;
  const chainId = await publicClient.getChainId();
  const chain = { ...foundry, id: chainId };
  const attester = createWalletClient({ account: privateKeyToAccount(o.attesterKey), chain, transport, pollingInterval });
  const relayer = createWalletClient({ account: privateKeyToAccount(o.relayerKey), chain, transport, pollingInterval });
  const projects = new Map(o.projects.map((p) => [p.projectId.toString(), p]));
  const breakers: BreakerStore = new Map();

  const engine = createEngine({
    store,
    projects,
    providers: o.providers,
    breakers,
    publicClient,
    attester,
    relayer,
    addresses: o.addresses,
    storage: o.storage,
    indexerUrl: o.indexerUrl,
    keyStore: o.keyStore,
    owner,
    leaseMs: o.leaseMs ?? 30_000,
    providerPollMs: o.providerPollMs ?? 2_000,
    concurrency: o.concurrency ?? 8,
    log,
  });
  let publicUrl = o.publicUrl ?? "";
  const sync = createSync({
    store,
    projects,
    publicClient,
    addresses: o.addresses,
    indexerUrl: o.indexerUrl,
    log,
    kick: () => engine.kick(),
    webhookUrl: (projectId) => `${publicUrl}/v1/indexer/${projectId}/webhooks`,
  });
  const outbox = createOutbox({ store, projects, log });
  const auth = createAuth({
    publicClient,
    addresses: o.addresses,
    used: async (signature) => (await store.query("SELECT 1 FROM seen_event WHERE source = 'reviewer' AND event_id = $1", [signature])).length > 0,
  });
  // The public half of each project's review key: the console compares it with the key the
  // project registered on-chain to know whether grants to the project reach this service.
  const reviewKeys: Record<string, string | null> = {};
  for (const p of o.projects) {
    const k = await o.keyStore.agreement(p.reviewKeyId ?? reviewKeyId(p.projectId, 1)).catch(() => undefined);
    reviewKeys[p.projectId.toString()] = k ? toHex(k.publicKey) : null;
  }
  const server = createHttp({
    store,
    projects,
    providers: o.providers,
    auth,
    sync,
    log,
    kick: () => engine.kick(),
    corsOrigins: parseCorsOrigins(o.corsOrigins),
    health: () => ({ ok: true, instance: owner, database: store.kind, projects: [...projects.keys()], reviewKeys, providers: Object.keys(o.providers) }),
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${o.host ?? "127.0.0.1"}:${port}`;
  if (!publicUrl) publicUrl = url;

  engine.start(o.workerIntervalMs ?? 100);
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => Promise<unknown>) => {
    let busy = false;
    const run = () => {
      if (busy || stopped) return;
      busy = true;
      fn()
        .catch((e) => log({ event: "loop.error", error: (e as Error).name }))
        .finally(() => (busy = false));
    };
    timers.push(setInterval(run, ms));
    run();
  };
  every(o.indexerPollMs ?? 2_000, () => sync.poll());
  every(200, () => outbox.deliverDue());
  log({ event: "service.started", instance: owner, url, database: store.kind });

  return {
    url,
    port,
    instance: owner,
    store,
    engine,
    sync,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      await engine.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (!o.store) await store.close();
    },
  };
}
