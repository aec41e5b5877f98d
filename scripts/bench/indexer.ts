// `npm run bench:indexer`: the Ponder indexer against a real anvil. Prints a table and writes
// bench/results/indexer.json.
//   - event -> visible in GraphQL: p50/p95 over WebSocket and over polling (PGlite)
//   - backfill events/s on PGlite and PostgreSQL (N attestations, final before the indexer starts)
//   - GraphQL p50/p99, achieved req/s and cache hit rate at a steady 200 req/s: one filtered
//     attestation query repeated while a block arrives every 2 s, and a cache-miss workload
//   - webhook deliveries/s (one endpoint on a loopback receiver, replaying the backfilled events)
// BENCH_EVENTS (default 5000), BENCH_SECONDS (GraphQL load, default 10), BENCH_SAMPLES (latency,
// default 40) scale it; BENCH_PARTS=graphql runs only the PostgreSQL GraphQL rows. PostgreSQL parts are skipped with a note when PostgreSQL is not installed.
import { ALL_API_KEY_SCOPES, Roles } from "@onekey/sdk/contracts";
import { readFileSync } from "node:fs";
import { printTable, writeResults, type Row } from "./report.ts";
import { addApiKey, api, createProject, gqlData, send } from "../../indexer/test/helpers/onekey.ts";
import { postgresUnavailableReason, startPostgres, type Postgres } from "../../indexer/test/helpers/postgres.ts";
import { startReceiver } from "../../indexer/test/helpers/receiver.ts";
import { removeDir, startChain, startIndexer, type Chain31337, type Indexer } from "../../indexer/test/helpers/stack.ts";
import { attestationRegistryAbi } from "@onekey/sdk/abis";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const RPS = 200;
/** BENCH_PARTS=graphql: only the PostgreSQL GraphQL rows (for repeated runs of the p99 target). */
const GRAPHQL_ONLY = process.env.BENCH_PARTS === "graphql";
const BENCH_ENV = {
  ONEKEY_RATE_LIMIT_KEY: "100000,100000",
  ONEKEY_RATE_LIMIT_PROJECT: "100000,100000",
  ONEKEY_WEBHOOK_POLL_MS: "100",
  ONEKEY_WEBHOOK_MAX_IN_FLIGHT: "64",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Setup {
  projectId: bigint;
  key: string;
}

async function setUpProject(chain: Chain31337): Promise<Setup> {
  const [admin, reviewer] = chain.wallets;
  const projectId = await createProject(chain, admin);
  const key = await addApiKey(chain, admin, projectId, ALL_API_KEY_SCOPES);
  await send(chain, admin, "projectRegistry", "grantRoles", [projectId, reviewer.account.address, Roles.REVIEWER]);
  return { projectId, key };
}

/** Time from the transaction's block existing (automine: when the hash returns) to GraphQL. */
async function latency(useWebSocket: boolean): Promise<{ p50: number; p95: number; pollingMs: number }> {
  const chain = await startChain();
  const setup = await setUpProject(chain);
  const indexer = await startIndexer({ chain, useWebSocket, env: BENCH_ENV });
  const [, reviewer] = chain.wallets;
  const samples: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const subject = `0x${(0xbe00n + BigInt(i)).toString(16).padStart(40, "0")}` as const;
      const id = `${setup.projectId}:${subject}`;
      const hash = await reviewer.writeContract({
        address: chain.deployment.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "attest",
        args: [setup.projectId, subject, 1, BigInt(Math.floor(Date.now() / 1000) + 86_400), 0, `0x${"00".repeat(32)}`],
      });
      const mined = performance.now();
      await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 5 });
      for (;;) {
        const data = await gqlData(indexer.url, setup.key, `query($id: String!) { attestation(id: $id) { level } }`, { id });
        if (data.attestation) break;
        await sleep(2);
      }
      samples.push(performance.now() - mined);
      await sleep(50 + Math.random() * 100); // spread samples over the polling phase
    }
  } finally {
    await indexer.stop();
    await chain.stop();
    removeDir(indexer.pgliteDir);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), pollingMs: useWebSocket ? 0 : 100 };
}

/** N attestations, 10 per block, then 40 empty blocks so Ponder treats them as final. */
async function history(chain: Chain31337, setup: Setup): Promise<void> {
  const [, reviewer] = chain.wallets;
  const expiry = BigInt(Math.floor(Date.now() / 1000) + 365 * 86_400);
  for (let done = 0; done < EVENTS; done += 10) {
    const requests = Array.from({ length: Math.min(10, EVENTS - done) }, (_, i) => ({
      subject: `0x${(0xa0000000n + BigInt(done + i)).toString(16).padStart(40, "0")}` as const,
      level: 1 + ((done + i) % 3),
      expiry,
      claims: 0,
      recordId: `0x${"00".repeat(32)}` as const,
    }));
    const hash = await reviewer.writeContract({
      address: chain.deployment.attestationRegistry,
      abi: attestationRegistryAbi,
      functionName: "attestBatch",
      args: [setup.projectId, requests],
    });
    await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 5 });
  }
  await chain.publicClient.request<{ Parameters: unknown[]; ReturnType: unknown }>({ method: "anvil_mine", params: ["0x28"] });
}

/**
 * From Ponder's log: wall time between "Started backfill indexing" and "Completed backfill"
 * (RPC fetching included), and the time spent in handlers and database writes alone.
 */
function backfillRate(indexer: Indexer): { events: number; seconds: number; indexingSeconds: number } {
  let start = 0;
  let end = 0;
  let events = 0;
  let indexingMs = 0;
  for (const line of readFileSync(indexer.service.logFile, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as { msg: string; time: number; event_count?: number; duration?: number };
    if (entry.msg === "Started backfill indexing" && !start) start = entry.time;
    if (entry.msg === "Indexed block range") {
      events += entry.event_count ?? 0;
      indexingMs += entry.duration ?? 0;
    }
    if (entry.msg === "Completed backfill indexing across all chains") end = entry.time;
  }
  return { events, seconds: (end - start) / 1000, indexingSeconds: indexingMs / 1000 };
}

interface LoadResult {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  /** Share of answers the response cache served (hit, or joined an identical request in flight). */
  hitRate: number;
  /** p99 of the answers served from the cache alone, and of those executed or waiting on one. */
  hitP99: number;
  missP99: number;
}

/**
 * Open-loop load: one request every 1000/RPS ms whatever the answers, for `seconds`.
 *   - `cached`: the same filtered query each time (what a dashboard polling the indexer sends),
 *     while the chain mines a block every 2 s (Base's block time), so the cache is invalidated
 *     and refilled as it would be live;
 *   - `miss`: a different subject in every request, so no answer can come from the cache.
 */
async function graphqlLoad(servers: Indexer[], setup: Setup, chain: Chain31337, workload: "cached" | "miss" = "cached"): Promise<LoadResult> {
  const cachedQuery = `query($p: BigInt!) { attestations(where: { projectId: $p, level_gte: 2, revoked: false }, orderBy: "blockNumber", orderDirection: "desc", limit: 20) { items { subject level expiry } } }`;
  const missQuery = `query($p: BigInt!, $s: String!) { attestations(where: { projectId: $p, subject: $s }, limit: 20) { items { subject level expiry } } }`;
  let sequence = 0;
  const body = () =>
    workload === "cached"
      ? JSON.stringify({ query: cachedQuery, variables: { p: setup.projectId.toString() } })
      : JSON.stringify({
          query: missQuery,
          // A fresh subject each request (some exist, most do not): every key is new.
          variables: { p: setup.projectId.toString(), s: `0x${(0xa0000000n + BigInt(sequence++)).toString(16).padStart(40, "0")}` },
        });
  const headers = { authorization: `Bearer ${setup.key}`, "content-type": "application/json" };
  let next = 0;
  const reasons = new Map<string, number>();
  const outcomes = new Map<string, number>();
  const fail = (reason: string) => void reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  const byOutcome = new Map<string, number[]>();
  const one = async (): Promise<number | undefined> => {
    const started = performance.now();
    // Round robin, as a load balancer in front of several replicas would.
    const server = servers[next++ % servers.length];
    try {
      const res = await fetch(`${server.url}/graphql`, { method: "POST", headers, body: body() });
      const text = await res.text();
      const outcome = res.headers.get("x-onekey-cache") ?? "none";
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (res.status === 200 && text.includes('"items"')) {
        const ms = performance.now() - started;
        byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), ms]);
        return ms;
      }
      fail(`HTTP ${res.status}: ${text.slice(0, 120)}`);
    } catch (error) {
      fail(String((error as Error).cause ?? error).slice(0, 120));
    }
    return undefined;
  };
  const run = async (seconds: number) => {
    const total = RPS * seconds;
    const started = performance.now();
    const pending: Promise<number | undefined>[] = [];
    let mined = started;
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / RPS - performance.now();
      if (wait > 0) await sleep(wait);
      if (workload === "cached" && performance.now() - mined >= 2000) {
        mined = performance.now();
        void chain.publicClient.request<{ Parameters: unknown[]; ReturnType: unknown }>({ method: "evm_mine", params: [] });
      }
      pending.push(one());
    }
    const results = await Promise.all(pending);
    return { results, elapsed: (performance.now() - started) / 1000 };
  };
  await run(2); // warm-up: connections, plan caches, JIT
  reasons.clear();
  outcomes.clear();
  byOutcome.clear();
  const { results, elapsed } = await run(SECONDS);
  for (const [reason, n] of reasons) console.error(`  GraphQL error x${n}: ${reason}`);
  const ok = results.filter((r): r is number => r !== undefined);
  const served = (outcomes.get("hit") ?? 0) + (outcomes.get("shared") ?? 0);
  const hits = byOutcome.get("hit") ?? [];
  const rest = [...(byOutcome.get("miss") ?? []), ...(byOutcome.get("shared") ?? [])];
  return {
    p50: percentile(ok, 50),
    p99: percentile(ok, 99),
    rps: ok.length / elapsed,
    errors: results.length - ok.length,
    hitRate: served / results.length,
    hitP99: hits.length ? percentile(hits, 99) : NaN,
    missP99: rest.length ? percentile(rest, 99) : NaN,
  };
}

/** Replays the backfilled attestations to one endpoint; deliveries/s until the last arrives. */
async function webhookThroughput(indexer: Indexer, setup: Setup): Promise<{ count: number; perSecond: number }> {
  const receiver = await startReceiver();
  try {
    const started = performance.now();
    const created = await api(indexer.url, setup.key, "POST", `/v1/projects/${setup.projectId}/webhooks`, {
      url: receiver.url,
      eventTypes: ["attestation.created"],
      fromBlock: 0,
      maxConcurrency: 16,
      ratePerSecond: 1000,
    });
    if (created.status !== 201) throw new Error(`endpoint: ${JSON.stringify(created.body)}`);
    const deadline = Date.now() + 600_000;
    while (receiver.ids().size < EVENTS && Date.now() < deadline) await sleep(50);
    const seconds = (performance.now() - started) / 1000;
    return { count: receiver.ids().size, perSecond: receiver.ids().size / seconds };
  } finally {
    await receiver.close();
  }
}

async function databaseRun(label: "PGlite" | "PostgreSQL", chain: Chain31337, setup: Setup, pg?: Postgres) {
  const schema = `bench_${Date.now()}`;
  const indexer = await startIndexer({ chain, databaseUrl: pg?.url, schema, env: BENCH_ENV });
  try {
    const backfill = backfillRate(indexer);
    const load = await graphqlLoad([indexer], setup, chain);
    const miss = await graphqlLoad([indexer], setup, chain, "miss");
    let replicated: LoadResult | undefined;
    if (pg && !GRAPHQL_ONLY) {
      // The scale path: HTTP from `ponder serve` replicas over the same database.
      const replicas = [
        await startIndexer({ chain, databaseUrl: pg.url, schema, command: "serve", env: BENCH_ENV }),
        await startIndexer({ chain, databaseUrl: pg.url, schema, command: "serve", env: BENCH_ENV }),
      ];
      try {
        replicated = await graphqlLoad(replicas, setup, chain);
      } finally {
        for (const r of replicas) await r.stop();
      }
    }
    const hooks = GRAPHQL_ONLY ? undefined : await webhookThroughput(indexer, setup);
    return { label, backfill, load, miss, replicated, hooks };
  } finally {
    await indexer.stop();
    removeDir(indexer.pgliteDir);
  }
}

async function main() {
  const rows: Row[] = [];
  const metrics: Record<string, number> = {};

  for (const [mode, ws] of GRAPHQL_ONLY
    ? []
    : ([
        ["WebSocket", true],
        ["polling (100 ms)", false],
      ] as const)) {
    const l = await latency(ws);
    const key = ws ? "ws" : "polling";
    metrics[`latency_${key}_p50_ms`] = l.p50;
    metrics[`latency_${key}_p95_ms`] = l.p95;
    rows.push({ metric: `event -> GraphQL, ${mode}`, p50: l.p50, "p95/p99": l.p95, "per second": undefined, target: "p95 <= 1 block + 200 ms" });
  }

  const chain = await startChain();
  const setup = await setUpProject(chain);
  await history(chain, setup);
  const runs = GRAPHQL_ONLY ? [] : [await databaseRun("PGlite", chain, setup)];
  const skip = postgresUnavailableReason();
  let pg: Postgres | undefined;
  if (!skip) {
    pg = await startPostgres({ durable: true });
    try {
      runs.push(await databaseRun("PostgreSQL", chain, setup, pg));
    } finally {
      pg.stop();
    }
  }
  await chain.stop();

  for (const r of runs) {
    const key = r.label === "PGlite" ? "pglite" : "postgres";
    const rate = r.backfill.events / r.backfill.seconds;
    metrics[`backfill_${key}_events_per_s`] = rate;
    metrics[`backfill_${key}_indexing_events_per_s`] = r.backfill.events / r.backfill.indexingSeconds;
    metrics[`backfill_${key}_events`] = r.backfill.events;
    metrics[`graphql_${key}_p50_ms`] = r.load.p50;
    metrics[`graphql_${key}_p99_ms`] = r.load.p99;
    metrics[`graphql_${key}_rps`] = r.load.rps;
    metrics[`graphql_${key}_errors`] = r.load.errors;
    metrics[`graphql_${key}_cache_hit_rate`] = r.load.hitRate;
    metrics[`graphql_${key}_cache_hit_p99_ms`] = r.load.hitP99;
    metrics[`graphql_${key}_cache_miss_or_shared_p99_ms`] = r.load.missP99;
    metrics[`graphql_${key}_miss_p50_ms`] = r.miss.p50;
    metrics[`graphql_${key}_miss_p99_ms`] = r.miss.p99;
    metrics[`graphql_${key}_miss_rps`] = r.miss.rps;
    metrics[`graphql_${key}_miss_cache_hit_rate`] = r.miss.hitRate;
    if (r.hooks) metrics[`webhooks_${key}_deliveries_per_s`] = r.hooks.perSecond;
    rows.push(
      { metric: `backfill, ${r.label} (${r.backfill.events} events), end to end`, "per second": rate },
      { metric: `backfill, ${r.label}, handlers + writes only`, "per second": r.backfill.events / r.backfill.indexingSeconds },
      {
        metric: `GraphQL same query @ ${RPS} req/s, block every 2 s, ${r.label}`,
        p50: r.load.p50,
        "p95/p99": r.load.p99,
        "per second": r.load.rps,
        errors: r.load.errors,
        "cache hits": `${(r.load.hitRate * 100).toFixed(1)}%`,
        target: r.label === "PostgreSQL" ? "p99 <= 50 ms" : undefined,
      },
      { metric: `  of which served from the cache (p99) / executed or shared (p99)`, p50: r.load.hitP99, "p95/p99": r.load.missP99 },
      {
        metric: `GraphQL cache-miss workload (new variables each) @ ${RPS} req/s, ${r.label}`,
        p50: r.miss.p50,
        "p95/p99": r.miss.p99,
        "per second": r.miss.rps,
        errors: r.miss.errors,
        "cache hits": `${(r.miss.hitRate * 100).toFixed(1)}%`,
      },
    );
    if (r.hooks) rows.push({ metric: `webhook deliveries, ${r.label} (${r.hooks.count})`, "per second": r.hooks.perSecond });
    if (r.replicated) {
      metrics.graphql_postgres_2_serve_p50_ms = r.replicated.p50;
      metrics.graphql_postgres_2_serve_p99_ms = r.replicated.p99;
      metrics.graphql_postgres_2_serve_rps = r.replicated.rps;
      rows.push({
        metric: `GraphQL @ ${RPS} req/s, PostgreSQL, 2 \`ponder serve\` replicas`,
        p50: r.replicated.p50,
        "p95/p99": r.replicated.p99,
        "per second": r.replicated.rps,
        errors: r.replicated.errors,
        "cache hits": `${(r.replicated.hitRate * 100).toFixed(1)}%`,
        target: "p99 <= 50 ms",
      });
    }
  }
  if (skip) rows.push({ metric: `PostgreSQL skipped: ${skip}` });

  printTable("Indexer (ms; per second = events, requests or deliveries)", rows);
  console.log(`wrote ${writeResults("indexer", metrics)}`);
}

await main();
