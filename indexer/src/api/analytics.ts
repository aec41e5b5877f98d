// Per-project analytics over a time window (block time): records, grants by purpose, attestations
// by level, audit accesses, gas sponsored and its cost — totals plus a series per hour or day.
// Counts come from the project's event log, so they include history the entity tables overwrite
// (a re-grant, a replaced attestation).
import { PURPOSES, purposeName } from "@onekey/sdk/contracts";
import { requireKey, type AuthEnv } from "./auth.ts";
import { ApiError, router } from "./errors.ts";
import { getStore, quoteIdent } from "./store.ts";
import { query, z } from "./validate.ts";

const BUCKETS = { hour: 3600, day: 86400 } as const;

// Unix seconds or an ISO 8601 time, within years 1970..9999 (what Date can print back).
const MAX_TIME = 253_402_300_799;
const time = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const seconds = /^\d{1,12}$/.test(value) ? Number(value) : Math.floor(Date.parse(value) / 1000);
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_TIME) {
      ctx.addIssue({ code: "custom", message: "unix seconds or an ISO 8601 time between 1970 and 9999" });
      return z.NEVER;
    }
    return seconds;
  });

export const analyticsRoutes = router<AuthEnv>();

analyticsRoutes.get("/v1/projects/:projectId/analytics", requireKey("analytics"), async (c) => {
  const { projectId } = c.get("auth");
  const now = Math.floor(Date.now() / 1000);
  const q = query(c, { from: time.optional(), to: time.optional(), bucket: z.enum(["hour", "day"]).default("day") });
  // Without `to` the window is open-ended: block times can run ahead of the wall clock (a local
  // chain mining faster than one block per second stamps +1 s per block).
  const openEnded = q.to === undefined;
  const to = q.to ?? Number.MAX_SAFE_INTEGER;
  const from = q.from ?? now - 30 * 86400;
  const bucketName = q.bucket;
  if (from > to) throw new ApiError("InvalidQuery", 400, "`from` must not be after `to`.");
  const bucket = BUCKETS[bucketName];
  if (((openEnded ? now : to) - from) / bucket > 5000) throw new ApiError("InvalidQuery", 400, "Window too long for this bucket (max 5000 buckets).");

  const store = await getStore();
  const app = quoteIdent(store.appSchema);
  const params = [projectId.toString(), from, to];
  const window = `project_id = $1::numeric AND timestamp >= $2::numeric AND timestamp < $3::numeric`;
  const [byType, purposes, levels, records, gas, series] = await Promise.all([
    store.query<{ event_type: string; n: string }>(`SELECT event_type, count(*)::text AS n FROM ${app}.event_log WHERE ${window} GROUP BY event_type`, params),
    store.query<{ purpose: string; n: string }>(
      `SELECT (payload::jsonb)->>'purpose' AS purpose, count(*)::text AS n FROM ${app}.event_log
       WHERE ${window} AND event_type = 'grant.created' GROUP BY 1`,
      params,
    ),
    store.query<{ level: string; n: string }>(
      `SELECT (payload::jsonb)->>'level' AS level, count(*)::text AS n FROM ${app}.event_log
       WHERE ${window} AND event_type = 'attestation.created' GROUP BY 1`,
      params,
    ),
    store.query<{ n: string }>(
      `SELECT count(DISTINCT (payload::jsonb)->>'recordId')::text AS n FROM ${app}.event_log
       WHERE ${window} AND event_type = 'grant.created'`,
      params,
    ),
    store.query<{ ops: string; gas: string | null; charged: string | null }>(
      `SELECT count(*)::text AS ops, sum(actual_gas_cost)::text AS gas, sum(charged)::text AS charged
       FROM ${app}.sponsorship WHERE ${window}`,
      params,
    ),
    store.query<{ start: string; event_type: string; n: string }>(
      `SELECT (floor(timestamp / $4) * $4)::text AS start, event_type, count(*)::text AS n FROM ${app}.event_log
       WHERE ${window} GROUP BY 1, 2 ORDER BY 1`,
      [...params, bucket],
    ),
  ]);
  const count = (type: string) => Number(byType.find((r) => r.event_type === type)?.n ?? 0);
  const grantsByPurpose = Object.fromEntries(PURPOSES.map((p) => [p, 0]));
  for (const r of purposes) grantsByPurpose[purposeName(Number(r.purpose))] = Number(r.n);
  const attestationsByLevel = Object.fromEntries(levels.map((r) => [r.level, Number(r.n)]));
  const buckets = new Map<string, Record<string, number>>();
  for (const r of series) {
    const entry = buckets.get(r.start) ?? {};
    entry[r.event_type] = Number(r.n);
    buckets.set(r.start, entry);
  }
  return c.json({
    projectId: projectId.toString(),
    from: new Date(from * 1000).toISOString(),
    to: openEnded ? null : new Date(to * 1000).toISOString(),
    bucket: bucketName,
    totals: {
      records: Number(records[0]?.n ?? 0),
      grants: count("grant.created"),
      grantsByPurpose,
      grantRevocations: count("grant.revoked"),
      attestations: count("attestation.created"),
      attestationsByLevel,
      attestationRevocations: count("attestation.revoked"),
      auditAccesses: count("audit_access.recorded"),
      sponsoredOperations: Number(gas[0]?.ops ?? 0),
      gasSponsoredWei: gas[0]?.gas ?? "0",
      costChargedWei: gas[0]?.charged ?? "0",
    },
    series: [...buckets.entries()].map(([start, counts]) => ({
      start: new Date(Number(start) * 1000).toISOString(),
      grants: counts["grant.created"] ?? 0,
      attestations: counts["attestation.created"] ?? 0,
      auditAccesses: counts["audit_access.recorded"] ?? 0,
      revocations: (counts["grant.revoked"] ?? 0) + (counts["attestation.revoked"] ?? 0),
      sponsoredOperations: counts["sponsorship.operation_sponsored"] ?? 0,
    })),
  });
});
