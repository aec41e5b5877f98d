// Webhooks: endpoints (the signing secret is shown once), an event filter, a test event, and the
// delivery log with status, attempts and redelivery.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { getProject, setMetadataURI } from "@onekey/sdk/contracts";
import { useOneKey } from "../shell/OneKey.tsx";
import { useProject } from "./project.tsx";
import { connected } from "../shell/handle.ts";
import { ApiKeyGate } from "./gate.tsx";
import {
  createEndpoint,
  deleteEndpoint,
  getDelivery,
  listDeliveries,
  listEndpoints,
  redeliver,
  type DeliveryStatus,
  type IndexerConnection,
} from "./lib/indexer.ts";
import { InvalidInputError } from "./lib/errors.ts";
import { Card, Problem, Status, useAction } from "./ui.tsx";

/** "grant.*, attestation.created" -> ["grant.*", "attestation.created"]; empty means every event. */
export function parseEventFilter(text: string): string[] {
  const items = text.split(/[\s,]+/).filter(Boolean);
  for (const t of items)
    if (!/^(\*|[a-z_]+(\.([a-z_]+|\*))?)$/.test(t))
      throw new InvalidInputError("eventTypes", `“${t}” is not an event type (like grant.created), a prefix (like grant.*) or *.`);
  return items;
}

function Endpoints({ conn }: { conn: IndexerConnection }) {
  const { publicClient, network } = useOneKey();
  const { projectId, org } = useProject();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["endpoints", projectId.toString()], queryFn: () => listEndpoints(conn), refetchInterval: 3000 });
  const [url, setUrl] = useState("");
  const [filter, setFilter] = useState("");
  const [description, setDescription] = useState("");
  const create = useAction(async () => {
    const r = await createEndpoint(conn, { url: url.trim(), eventTypes: parseEventFilter(filter), description: description.trim() || undefined });
    await qc.invalidateQueries({ queryKey: ["endpoints"] });
    return r;
  });
  const remove = useAction(async (id: string) => {
    await deleteEndpoint(conn, id);
    await qc.invalidateQueries({ queryKey: ["endpoints"] });
  });
  // A real event through the whole path (chain -> indexer -> outbox -> delivery): the project's
  // metadata set again to what it is, which emits ProjectMetadataUpdated (project.metadata_updated).
  const test = useAction(async () => {
    const p = await getProject(publicClient, { projectId, addresses: network.addresses });
    const h = connected(org);
    return setMetadataURI(h.client, { ...h.on, projectId, metadataURI: p.metadataURI });
  });
  return (
    <>
      <Card title="Add a webhook endpoint">
        <form onSubmit={(e) => (e.preventDefault(), create.run())}>
          <label htmlFor="wh-url">Endpoint URL</label>
          <input id="wh-url" type="text" inputMode="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/onekey" />
          <label htmlFor="wh-filter">Event filter (comma-separated; empty = every event)</label>
          <input id="wh-filter" type="text" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="grant.*, attestation.created, alert.*" />
          <label htmlFor="wh-description">Description</label>
          <input id="wh-description" type="text" value={description} onChange={(e) => setDescription(e.target.value)} />
          <div>
            <button type="submit" disabled={create.pending}>
              Add endpoint
            </button>
          </div>
        </form>
        <Problem error={create.error} />
        {create.result && (
          <section aria-label="New endpoint secret" className="card">
            <p>
              <strong>Copy the signing secret now: it is shown once.</strong> Your server checks each delivery's HMAC-SHA256 signature with it.
            </p>
            <label htmlFor="wh-secret">Signing secret for {create.result.url}</label>
            <input id="wh-secret" type="text" readOnly value={create.result.secret} onFocus={(e) => e.currentTarget.select()} />
          </section>
        )}
      </Card>
      <Card title="Endpoints">
        <table>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((e) => (
              <tr key={e.id}>
                <td>
                  <code>{e.url}</code>
                  {e.description && <div className="note">{e.description}</div>}
                </td>
                <td>{e.eventTypes.length ? e.eventTypes.join(", ") : "every event"}</td>
                <td>{e.active ? "active" : "deleted"}</td>
                <td>
                  {e.active && (
                    <button type="button" className="danger" aria-label={`Delete endpoint ${e.url}`} onClick={() => remove.run(e.id)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data && !list.data.items.length && <p className="note">No endpoints yet.</p>}
        <button type="button" className="secondary" disabled={!org || test.pending} onClick={() => test.run()}>
          Send a test event
        </button>
        <p className="note">
          Sends a real on-chain event (project.metadata_updated, the metadata set to what it is): endpoints whose filter matches it receive a delivery.
        </p>
        {test.pending && <Status>Sending the test event…</Status>}
        {test.result && !test.pending && <Status>Test event sent in transaction {test.result.hash.slice(0, 12)}…; its deliveries appear below.</Status>}
        <Problem error={list.error ?? remove.error ?? test.error} />
      </Card>
    </>
  );
}

const STATUSES: DeliveryStatus[] = ["pending", "delivering", "delivered", "dead", "cancelled"];

function Deliveries({ conn }: { conn: IndexerConnection }) {
  const { projectId } = useProject();
  const qc = useQueryClient();
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const list = useQuery({
    queryKey: ["deliveries", projectId.toString(), status],
    queryFn: () => listDeliveries(conn, { status: status || undefined, limit: 500 }),
    refetchInterval: 2000,
  });
  const [open, setOpen] = useState<string>();
  const detail = useQuery({ queryKey: ["delivery", open], enabled: !!open, queryFn: () => getDelivery(conn, open!), refetchInterval: 2000 });
  const again = useAction(async (id: string) => {
    const r = await redeliver(conn, id);
    await qc.invalidateQueries({ queryKey: ["deliveries"] });
    return r;
  });
  const items = [...(list.data?.items ?? [])].reverse();
  return (
    <Card title="Delivery log">
      <label htmlFor="dl-status">Status</label>
      <select id="dl-status" value={status} onChange={(e) => setStatus(e.target.value as DeliveryStatus | "")}>
        <option value="">all</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <table aria-label="Deliveries">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} data-testid="delivery-row">
              <td>
                {d.eventType}
                <div className="note">block {d.blockNumber}</div>
              </td>
              <td>{d.status}</td>
              <td>{d.attempts}</td>
              <td>
                {d.lastStatus ?? "—"}
                {d.lastError && <div className="note">{d.lastError}</div>}
              </td>
              <td>
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Show attempts of delivery ${d.id}`}
                  onClick={() => setOpen(open === d.id ? undefined : d.id)}
                >
                  Attempts
                </button>
                {(d.status === "delivered" || d.status === "dead" || d.status === "cancelled") && (
                  <button type="button" aria-label={`Redeliver ${d.eventType} delivery ${d.id}`} disabled={again.pending} onClick={() => again.run(d.id)}>
                    Redeliver
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && !items.length && <p className="note">No deliveries{status ? ` with status ${status}` : ""} yet.</p>}
      {detail.data && (
        <table aria-label="Attempts">
          <caption>Attempts of delivery {detail.data.id}</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">At</th>
              <th scope="col">HTTP status</th>
              <th scope="col">Took</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {detail.data.attemptLog.map((a, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a delivery's attempts only ever append, so the index is the attempt's identity
              <tr key={i}>
                <td>{a.attempt}</td>
                <td>{a.at}</td>
                <td>{a.status ?? "—"}</td>
                <td>{a.durationMs} ms</td>
                <td>{a.error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {again.result && <Status>Delivery {again.result.id} queued again.</Status>}
      <Problem error={list.error ?? again.error ?? detail.error} />
    </Card>
  );
}

export function Webhooks() {
  return (
    <ApiKeyGate scope="webhooks">
      {(conn) => (
        <>
          <Endpoints conn={conn} />
          <Deliveries conn={conn} />
        </>
      )}
    </ApiKeyGate>
  );
}
