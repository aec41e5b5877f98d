// Grants to a project with their state computed now (live / expired / revoked / superseded), read
// from the `grant_state` view (ponder.schema.ts) so the rule is written once for GraphQL and REST.
import { requireKey, type AuthEnv } from "./auth.ts";
import { ApiError, router } from "./errors.ts";
import { getStore, quoteIdent } from "./store.ts";

const STATES = new Set(["live", "expired", "revoked", "superseded"]);

export const grantRoutes = router<AuthEnv>();

grantRoutes.get("/v1/projects/:projectId/grants", requireKey("read"), async (c) => {
  const { projectId } = c.get("auth");
  const state = c.req.query("state");
  const limit = Number(c.req.query("limit") ?? 100);
  const after = c.req.query("after") ?? "";
  if (state && !STATES.has(state)) throw new ApiError("InvalidQuery", 400, `state must be one of ${[...STATES].join(", ")}.`);
  if (!(limit > 0 && limit <= 1000)) throw new ApiError("InvalidQuery", 400, "`limit` is 1..1000.");
  const store = await getStore();
  const app = quoteIdent(store.appSchema);
  const rows = await store.query<Record<string, string | boolean | null>>(
    `SELECT id, record_id AS "recordId", grantee, owner, record_version::text AS "recordVersion", purpose::text AS purpose,
            expiry::text AS expiry, field_mask::text AS "fieldMask", granted_at::text AS "grantedAt", revoked_at::text AS "revokedAt", state
     FROM ${app}.grant_state t
     WHERE t.grantee_project_id = $1::numeric AND t.id > $2 AND ($3::text IS NULL OR t.state = $3)
     ORDER BY t.id LIMIT $4`,
    [projectId.toString(), after, state ?? null, limit],
  );
  return c.json({ items: rows, nextCursor: rows.length === limit ? rows.at(-1)!.id : null });
});
