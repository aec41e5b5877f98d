// What GraphQL and SQL-over-HTTP may show: public chain data only. Ponder's graphql() and
// client() expose every table they are given, and client() runs any read-only SQL against the
// whole app schema whatever it is given, so (1) both get only the tables listed here, and (2)
// every /sql query is parsed and refused when it names any other relation. A table added to
// ponder.schema.ts stays private until it is listed here: derived, project-scoped rows (the
// outbox, alert windows, the per-project event log) are tenant data and go through REST instead.
import { getTableName, getViewName, is, isTable, isView, Relations } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import superjson from "superjson";
import schema from "ponder:schema";
import { ApiError } from "./errors.ts";
import { clip } from "./validate.ts";

/** Export names in ponder.schema.ts of tables and views that hold only public on-chain facts. */
export const PUBLIC_TABLES = [
  "project",
  "member",
  "reviewKeyShare",
  "apiKey",
  "encryptionKey",
  "record",
  "recordVersion",
  "grant",
  "grantState",
  "attestationState",
  "apiKeyState",
  "auditAccess",
  "attestation",
  "attestationEvent",
  "sponsorship",
  "sponsorFunding",
  // Events a handler could not apply: pointers to public chain events and a fixed reason text,
  // nothing a project derived; operators of every tenant need to see them.
  "skippedEvent",
] as const;

type Schema = typeof schema;
const all = schema as unknown as Record<string, unknown>;
const publicObjects = new Set(PUBLIC_TABLES.map((name) => all[name]));

/** The public tables and views, with the relations among them (what GraphQL nests). */
export const publicSchema = Object.fromEntries(
  Object.entries(all).filter(([name, value]) => {
    if (value && typeof value === "object" && is(value, Relations)) return publicObjects.has(value.table);
    return (PUBLIC_TABLES as readonly string[]).includes(name);
  }),
) as unknown as Schema;

for (const name of PUBLIC_TABLES) {
  if (!(name in all)) throw new Error(`public.ts lists "${name}", which ponder.schema.ts does not export`);
}

/** Relation names /sql may read: the public tables and views, and the indexed head. */
const SQL_RELATIONS = new Set<string>(["_ponder_checkpoint"]);
for (const value of publicObjects) {
  if (isTable(value)) SQL_RELATIONS.add(getTableName(value));
  else if (isView(value)) SQL_RELATIONS.add(getViewName(value));
}

type ParseResult = { parse_tree: unknown; error: { message: string } | null };
let parser: Promise<(sql: string) => ParseResult> | undefined;
function sqlParser() {
  // The same PostgreSQL parser (libpg_query) Ponder's client() validates with.
  parser ??= import("pg-query-emscripten").then(
    async (m) => (await (m as unknown as { default: () => Promise<{ parse: (s: string) => ParseResult }> }).default()).parse,
  );
  return parser;
}

/** Every relation name a parse tree mentions, at any depth (subqueries, CTEs, joins, lateral). */
function relations(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const child of node) relations(child, out);
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "RangeVar" && value && typeof value === "object") {
        const v = value as { relname?: string; schemaname?: string };
        out.add(v.schemaname ? `${v.schemaname}.${v.relname}` : String(v.relname));
      }
      relations(value, out);
    }
  }
  return out;
}

const MAX_SQL_CHARS = 5000; // Ponder's own ceiling

/**
 * In front of Ponder's client(): the `sql` parameter must be a superjson payload whose `sql` is a
 * single statement naming only public relations. A CTE's name counts as a relation too, so a CTE
 * must reuse a public name or the query is refused (scoping CTE names correctly is not worth the
 * risk). Ponder answers its own refusals and failed queries with 500 text; those become 400.
 */
export function publicSqlOnly(inner: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === "/sql/db" || c.req.path === "/sql/live") {
      const raw = c.req.query("sql");
      if (raw === undefined) throw new ApiError("InvalidSql", 400, "Missing `sql` query parameter (a @ponder/client payload).");
      let sql: unknown;
      try {
        sql = (superjson.parse(raw) as { sql?: unknown } | undefined)?.sql;
      } catch {
        sql = undefined;
      }
      if (typeof sql !== "string" || sql.length === 0) throw new ApiError("InvalidSql", 400, "`sql` must be a superjson payload { sql, params }.");
      if (sql.length > MAX_SQL_CHARS) throw new ApiError("InvalidSql", 400, `SQL longer than ${MAX_SQL_CHARS} characters.`);
      const result = (await sqlParser())(sql);
      if (result.error) throw new ApiError("InvalidSql", 400, `SQL does not parse: ${clip(result.error.message)}`);
      const named = relations(result.parse_tree, new Set());
      const refused = [...named].filter((name) => !SQL_RELATIONS.has(name));
      if (refused.length) {
        throw new ApiError(
          "TableNotPublic",
          403,
          `SQL may read only public chain tables (${[...SQL_RELATIONS].join(", ")}); refused: ${clip(refused.join(", "))}. Tenant data is on the REST API.`,
        );
      }
    }
    const response = await inner(c, next);
    if (!(response instanceof Response)) return;
    if (response.status === 500 && !response.headers.get("content-type")?.includes("json")) {
      throw new ApiError("SqlRefused", 400, `The SQL was refused or failed: ${clip(await response.text(), 200)}`);
    }
    return response;
  };
}
