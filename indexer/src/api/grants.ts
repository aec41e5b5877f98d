// Grants to a project with their state at the indexed head (live / expired / revoked /
// superseded), the same rule as the `grant_state` view in GraphQL and as RecordRegistry's
// `isGrantLive` at that block: expired when expiry <= the head block's timestamp.
import { checkpointFieldSql, decodeHead, headCheckpointSql, headHeaders } from "../../lib/chain-time.ts";
import { GRANT_STATES, grantStateSql } from "@onekey/sdk/contracts";
import { requireKey, type AuthEnv } from "./auth.ts";
import { router } from "./errors.ts";
import { getStore, quoteIdent } from "./store.ts";
import { pageLimit, query, text, z } from "./validate.ts";

// The rule is the SDK's (one source with its grantState and the `grant_state` view).
const STATE_SQL = grantStateSql(
  {
    revoked: "g.revoked",
    expiry: "g.expiry",
    now: checkpointFieldSql("head.checkpoint", "timestamp"),
    erased: "r.erased",
    recordVersion: "r.version",
    grantRecordVersion: "g.record_version",
  },
  String.raw,
);

export const grantRoutes = router<AuthEnv>();

grantRoutes.get("/v1/projects/:projectId/grants", requireKey("read"), async (c) => {
  const { projectId } = c.get("auth");
  const { state, limit, after } = query(c, { state: z.enum(GRANT_STATES).optional(), limit: pageLimit().default(100), after: text(200).default("") });
  const store = await getStore();
  const app = quoteIdent(store.appSchema);
  // One statement, so the rows and the head they are judged at come from the same snapshot.
  const rows = await store.query<Record<string, string | boolean | null> & { checkpoint: string | null }>(
    `WITH head AS (SELECT ${headCheckpointSql(app)} AS checkpoint)
     SELECT * FROM (
       SELECT g.id, g.record_id AS "recordId", g.grantee, g.owner, g.record_version::text AS "recordVersion", g.purpose::text AS purpose, g.purpose_name AS "purposeName",
              g.expiry::text AS expiry, g.field_mask::text AS "fieldMask", g.granted_at::text AS "grantedAt", g.revoked_at::text AS "revokedAt",
              g.review_key_version::text AS "reviewKeyVersion", g.rewrapped_at::text AS "rewrappedAt",
              ${STATE_SQL} AS state,
              head.checkpoint
       FROM ${app}."grant" g LEFT JOIN ${app}.record r ON r.id = g.record_id CROSS JOIN head
       WHERE g.grantee_project_id = $1::numeric AND g.id > $2
     ) t WHERE $3::text IS NULL OR t.state = $3
     ORDER BY t.id LIMIT $4`,
    [projectId.toString(), after, state ?? null, limit],
  );
  const checkpoint = rows.length
    ? rows[0].checkpoint
    : (await store.query<{ checkpoint: string | null }>(`SELECT ${headCheckpointSql(app)} AS checkpoint`))[0]?.checkpoint;
  const head = decodeHead(checkpoint);
  const items = rows.map(({ checkpoint: _checkpoint, ...row }) => row);
  for (const [name, value] of Object.entries(headHeaders(head))) c.header(name, value);
  return c.json({
    items,
    nextCursor: items.length === limit ? items.at(-1)!.id : null,
    // The block every state above was judged at.
    indexedHead: head && { blockNumber: head.blockNumber.toString(), timestamp: head.timestamp.toString() },
  });
});
