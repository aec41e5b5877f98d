// Review service benchmark on the local stack (anvil, arlocal, Ponder, the provider simulators, one
// service instance on PGlite): (1) grant on-chain -> attestation on-chain latency with the Sumsub
// simulator answering at once (target p95 <= 3 s), from the grant's receipt to the block holding
// the Attested event; (2) the cases per minute one instance sustains when every simulator answer
// and callback takes 200 ms, over a backlog of grants made while the service was stopped.
// Run: npm run bench:review. Prints a table, writes bench/results/review.json.
import { attestationRegistryAbi } from "@onekey/sdk/abis";
import { startReviewService } from "../../services/review/src/service/index.ts";
import { startHarness, until } from "../../services/review/test/helpers/harness.ts";
import { printTable, writeResults } from "./report.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 30);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const h = await startHarness();
try {
  // (1) latency, one grant at a time
  const options = h.serviceOptions({ log: () => {}, indexerPollMs: 2_000 });
  let service = await startReviewService(options);
  h.pointSimulatorsAt(service.url);
  const latencies: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const g = await h.grantFromNewSubject();
    const started = performance.now();
    await until(
      "the attestation",
      async () => {
        const logs = await h.chain.publicClient.getContractEvents({
          address: h.addresses.attestationRegistry,
          abi: attestationRegistryAbi,
          eventName: "Attested",
          args: { subject: g.subject },
          fromBlock: g.grantBlock,
        });
        return logs.length > 0;
      },
      30_000,
    );
    latencies.push(performance.now() - started);
  }
  await service.stop();

  // (2) throughput: a backlog granted while no service runs, then one instance works it off
  h.sumsub.latencyMs = 200;
  h.onfido.latencyMs = 200;
  h.veriff.latencyMs = 200;
  const backlog: { recordId: string }[] = [];
  for (let i = 0; i < BACKLOG; i++) backlog.push(await h.grantFromNewSubject());
  service = await startReviewService({ ...h.serviceOptions({ log: () => {}, indexerPollMs: 1_000 }), dbDir: options.dbDir });
  h.pointSimulatorsAt(service.url);
  const t0 = performance.now();
  await until(
    "the backlog to close",
    async () => {
      const [{ n }] = await service.store.query<{ n: number }>("SELECT count(*)::int AS n FROM review_case WHERE status = 'closed' AND record_id = ANY($1)", [
        backlog.map((g) => g.recordId.toLowerCase()),
      ]);
      return n === BACKLOG;
    },
    600_000,
  );
  const seconds = (performance.now() - t0) / 1000;
  const [{ approved }] = await service.store.query<{ approved: number }>(
    "SELECT count(*)::int AS approved FROM review_case WHERE outcome = 'approved' AND record_id = ANY($1)",
    [backlog.map((g) => g.recordId.toLowerCase())],
  );
  await service.stop();

  const metrics = {
    grant_to_attestation_p50_ms: Math.round(quantile(latencies, 0.5)),
    grant_to_attestation_p95_ms: Math.round(quantile(latencies, 0.95)),
    grant_to_attestation_max_ms: Math.round(Math.max(...latencies)),
    latency_runs: RUNS,
    cases_per_minute_200ms_provider: Math.round((BACKLOG / seconds) * 60),
    backlog_cases: BACKLOG,
    backlog_approved: approved,
    backlog_seconds: Math.round(seconds * 10) / 10,
  };
  printTable("Review service (one instance, PGlite, local stack)", [
    {
      measure: "grant -> attestation, simulator at once",
      p50_ms: metrics.grant_to_attestation_p50_ms,
      p95_ms: metrics.grant_to_attestation_p95_ms,
      max_ms: metrics.grant_to_attestation_max_ms,
      runs: RUNS,
      target: "p95 <= 3000 ms",
      met: metrics.grant_to_attestation_p95_ms <= 3000,
    },
    { measure: "cases per minute, simulator 200 ms", cases_per_min: metrics.cases_per_minute_200ms_provider, runs: BACKLOG, seconds: metrics.backlog_seconds },
  ]);
  console.log(`results: ${writeResults("review", metrics)}`);
} finally {
  await h.stop();
}
