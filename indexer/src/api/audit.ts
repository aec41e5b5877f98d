// Audit-log export (JSON, CSV), the chain head, and verification of the stored chain or of an
// export someone hands back (e.g. a regulator checking what they were given).
import { GENESIS_HASH, toCsv, toExport, verifyExport, verifyRows, type AuditRow, type VerifyResult } from "../../lib/audit.ts";
import { requireKey, type AuthEnv } from "./auth.ts";
import { ApiError, router } from "./errors.ts";
import { getStore, quoteIdent } from "./store.ts";
import { bodyText, clip, query, z } from "./validate.ts";

async function chainRows(projectId: bigint): Promise<AuditRow[]> {
  const store = await getStore();
  return store.query<AuditRow>(
    `SELECT project_id::text AS "projectId", seq::text AS seq, event_id AS "eventId", event_type AS "eventType",
            chain_id::text AS "chainId", block_number::text AS "blockNumber", block_hash AS "blockHash",
            transaction_hash AS "transactionHash", log_index::text AS "logIndex", timestamp::text AS timestamp,
            payload, prev_hash AS "prevHash", hash
     FROM ${quoteIdent(store.appSchema)}.event_log e WHERE e.project_id = $1::numeric ORDER BY e.seq`,
    [projectId.toString()],
  );
}

async function storedHeadAt(projectId: bigint, seq: string): Promise<string | undefined> {
  const store = await getStore();
  const [row] = await store.query<{ hash: string }>(
    `SELECT hash FROM ${quoteIdent(store.appSchema)}.event_log WHERE project_id = $1::numeric AND seq = $2::integer`,
    [projectId.toString(), seq],
  );
  return row?.hash;
}

/** A failed verification is a 422 carrying a named error beside the row and reason. */
function verdict(result: VerifyResult) {
  return result.ok ? { ok: true, count: result.count, head: result.head } : { error: "AuditVerificationFailed", ...result };
}

export const auditRoutes = router<AuthEnv>();

auditRoutes.get("/v1/projects/:projectId/audit/export", requireKey("audit"), async (c) => {
  const { projectId } = c.get("auth");
  const rows = await chainRows(projectId);
  const exported = toExport(projectId.toString(), rows);
  const { format } = query(c, { format: z.enum(["json", "csv"]).default("json") });
  if (format === "csv") {
    c.header("x-onekey-audit-head-seq", exported.head.seq);
    c.header("x-onekey-audit-head-hash", exported.head.hash);
    c.header("content-disposition", `attachment; filename="onekey-audit-project-${projectId}.csv"`);
    return c.body(toCsv(rows), 200, { "content-type": "text/csv; charset=utf-8" });
  }
  return c.json(exported);
});

/** The latest row's seq and hash: fetch it separately from an export to prove nothing was cut. */
auditRoutes.get("/v1/projects/:projectId/audit/head", requireKey("audit"), async (c) => {
  const store = await getStore();
  const [head] = await store.query<{ seq: string; hash: string }>(
    `SELECT seq::text, hash FROM ${quoteIdent(store.appSchema)}.event_log_head WHERE id = $1::numeric`,
    [c.get("auth").projectId.toString()],
  );
  return c.json(head ?? { seq: "0", hash: GENESIS_HASH });
});

/** Recomputes the stored chain: catches rows altered in the database itself. */
auditRoutes.get("/v1/projects/:projectId/audit/verify", requireKey("audit"), async (c) => {
  const result = verifyRows(await chainRows(c.get("auth").projectId));
  return c.json(verdict(result), result.ok ? 200 : 422);
});

/**
 * Verifies an export (JSON or CSV body): every hash and link, and that its head is the row the
 * indexer holds at that seq — so rows cut off the end, or a stale export, fail too.
 */
auditRoutes.post("/v1/projects/:projectId/audit/verify", requireKey("audit"), async (c) => {
  // Size and media type were checked by the body guard (BODY_LIMITS.auditExport).
  const text = await bodyText(c);
  let result: VerifyResult;
  try {
    result = verifyExport(text);
  } catch (error) {
    throw new ApiError("InvalidExport", 400, `The body is not an audit export (JSON or CSV): ${clip((error as Error).message, 200)}`);
  }
  const { projectId } = c.get("auth");
  if (result.ok && result.count > 0) {
    const stored = await storedHeadAt(projectId, result.head.seq);
    if (stored !== result.head.hash) {
      result = {
        ok: false,
        count: result.count,
        seq: result.head.seq,
        row: result.count - 1,
        reason: `row seq ${result.head.seq}: the indexer's chain for project ${projectId} has ${stored ?? "no row"} at this seq, the export ${result.head.hash}`,
      };
    }
  }
  return c.json(verdict(result), result.ok ? 200 : 422);
});
