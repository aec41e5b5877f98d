// The whole HTTP surface of the OneKey API as data: each route's method, path, scope and body
// policy. The body guard reads its limits from here, index.ts refuses to start when the Hono app
// has a route this table lacks (or the reverse), and the fuzz and tenant tests enumerate it.
// Nothing here imports Ponder, so tests can load it.
import { BODY_LIMITS } from "../../lib/limits.ts";
import type { ApiKeyScopeName as ScopeName } from "@onekey/sdk/contracts";

export interface BodyPolicy {
  maxBytes: number;
  /** Accepted media types (parameters such as charset are ignored). */
  types: readonly string[];
}

export interface RouteSpec {
  method: "GET" | "POST" | "DELETE";
  /** Hono path pattern. */
  path: string;
  scope: ScopeName;
  /** Omitted: the route takes no body (at most BODY_LIMITS.none bytes, ignored). */
  body?: BodyPolicy;
  /** Mounted as middleware (`app.use`) rather than a route: Ponder's GraphQL and SQL. */
  middleware?: boolean;
}

const JSON_BODY: BodyPolicy = { maxBytes: BODY_LIMITS.json, types: ["application/json"] };
const P = "/v1/projects/:projectId";

export const ROUTES: readonly RouteSpec[] = [
  { method: "POST", path: "/graphql", scope: "read", body: { maxBytes: BODY_LIMITS.graphql, types: ["application/json"] }, middleware: true },
  { method: "GET", path: "/sql/*", scope: "read", middleware: true },
  { method: "GET", path: "/v1/events", scope: "read" },
  { method: "GET", path: `${P}/events`, scope: "read" },
  { method: "GET", path: `${P}/grants`, scope: "read" },
  { method: "GET", path: `${P}/analytics`, scope: "analytics" },
  { method: "GET", path: `${P}/audit/export`, scope: "audit" },
  { method: "GET", path: `${P}/audit/head`, scope: "audit" },
  { method: "GET", path: `${P}/audit/verify`, scope: "audit" },
  {
    method: "POST",
    path: `${P}/audit/verify`,
    scope: "audit",
    body: { maxBytes: BODY_LIMITS.auditExport, types: ["application/json", "text/csv", "text/plain"] },
  },
  { method: "GET", path: `${P}/messages`, scope: "webhooks" },
  { method: "POST", path: `${P}/webhooks`, scope: "webhooks", body: JSON_BODY },
  { method: "GET", path: `${P}/webhooks`, scope: "webhooks" },
  { method: "GET", path: `${P}/webhooks/:endpointId`, scope: "webhooks" },
  { method: "DELETE", path: `${P}/webhooks/:endpointId`, scope: "webhooks" },
  { method: "GET", path: `${P}/deliveries`, scope: "webhooks" },
  { method: "GET", path: `${P}/deliveries/:deliveryId`, scope: "webhooks" },
  { method: "POST", path: `${P}/deliveries/:deliveryId/redeliver`, scope: "webhooks" },
];

const compiled = ROUTES.map((spec) => ({
  spec,
  pattern: new RegExp(`^${spec.path.replace(/:[A-Za-z]+/g, "[^/]+").replace(/\/\*$/, "(/.*)?")}$`),
}));

/** The route a request would reach, by method and path (undefined: no such route). */
export function routeFor(method: string, path: string): RouteSpec | undefined {
  return compiled.find((r) => r.spec.method === method && r.pattern.test(path))?.spec;
}
