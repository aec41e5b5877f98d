// The audit log: the project's hash-chained event log as a table with filters, verified in this
// browser with the SDK's encoding (and checked against the head fetched separately), exported as
// JSON / CSV, a file someone hands back verified here too; and the project's alerts.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useProject } from "./project.tsx";
import { ApiKeyGate } from "./gate.tsx";
import { getAuditExport, getAuditHead, listMessages, type IndexerConnection } from "./lib/indexer.ts";
import { eventTypesOf, exportFile, filterRows, verifyFile, verifyInBrowser, type VerifyResult } from "./lib/audit.ts";
import { download } from "./lib/download.ts";
import { Card, Problem, shortHex, when } from "./ui.tsx";

export function Verdict({ result, label }: { result: VerifyResult; label: string }) {
  return result.ok ? (
    <p role="status" className="state-live" data-testid="audit-verdict">
      ✔ {label}: {result.count} rows verified; head seq {result.head.seq} {shortHex(result.head.hash)}.
    </p>
  ) : (
    <p role="alert" className="state-revoked" data-testid="audit-verdict">
      ✘ {label}: verification failed at row seq {result.seq} — {result.reason}
    </p>
  );
}

const toUnix = (date: string, end = false) => (date ? Math.floor(Date.parse(`${date}T${end ? "23:59:59" : "00:00:00"}Z`) / 1000) + (end ? 1 : 0) : undefined);

function Log({ conn }: { conn: IndexerConnection }) {
  const { projectId } = useProject();
  const data = useQuery({
    queryKey: ["audit", projectId.toString()],
    // The head in its own request: an export cut short would not match it.
    queryFn: async () => {
      const [exported, head] = await Promise.all([getAuditExport(conn), getAuditHead(conn)]);
      return { exported, head };
    },
    refetchInterval: 5000,
  });
  const [eventType, setEventType] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [text, setText] = useState("");
  const [fileResult, setFileResult] = useState<{ name: string; result: VerifyResult }>();
  if (data.error) return <Problem error={data.error} />;
  if (!data.data) return <p aria-busy="true">Loading the audit log…</p>;
  const { exported, head } = data.data;
  // The head is read after the export: rows indexed in between make it newer, not a failure.
  const verdict = verifyInBrowser(exported, BigInt(head.seq) === BigInt(exported.head.seq) ? head : undefined);
  const rows = filterRows(exported.rows, { eventType, from: toUnix(from), to: toUnix(to, true), text });
  return (
    <>
      <Card title="Audit log">
        <Verdict result={verdict} label="In this browser" />
        <div>
          <button type="button" onClick={() => download(exportFile(projectId, exported.rows, "json"))}>
            Export JSON
          </button>
          <button type="button" onClick={() => download(exportFile(projectId, exported.rows, "csv"))}>
            Export CSV
          </button>
          <span className="note"> The whole chain (a filtered subset could not be verified).</span>
        </div>
        <fieldset>
          <legend>Filters</legend>
          <label htmlFor="au-type">Event type</label>
          <select id="au-type" value={eventType} onChange={(e) => setEventType(e.target.value)}>
            <option value="">all</option>
            {[...new Set(eventTypesOf(exported.rows).map((t) => `${t.split(".")[0]}.*`))].map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
            {eventTypesOf(exported.rows).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <label htmlFor="au-from">From (UTC date)</label>
          <input id="au-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          <label htmlFor="au-to">To (UTC date)</label>
          <input id="au-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          <label htmlFor="au-text">Contains (id, hash, address)</label>
          <input id="au-text" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </fieldset>
        <table aria-label="Audit log rows">
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Event</th>
              <th scope="col">Time</th>
              <th scope="col">Block</th>
              <th scope="col">Payload</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.seq} data-testid="audit-row">
                <td>{r.seq}</td>
                <td>{r.eventType}</td>
                <td>{when(r.timestamp)}</td>
                <td>{r.blockNumber}</td>
                <td>
                  <code>{r.payload.length > 160 ? `${r.payload.slice(0, 160)}…` : r.payload}</code>
                </td>
                <td>
                  <code title={r.hash}>{shortHex(r.hash, 8)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="note">
          {rows.length} of {exported.rows.length} rows shown.
        </p>
      </Card>
      <Card title="Verify an export file">
        <label htmlFor="au-file">An export (JSON or CSV) to check in this browser</label>
        <input
          id="au-file"
          type="file"
          accept=".json,.csv,application/json,text/csv"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (f) setFileResult({ name: f.name, result: verifyFile(await f.text()) });
          }}
        />
        {fileResult && <Verdict result={fileResult.result} label={fileResult.name} />}
      </Card>
    </>
  );
}

function Alerts({ conn }: { conn: IndexerConnection }) {
  const { projectId } = useProject();
  const alerts = useQuery({
    queryKey: ["alerts", projectId.toString()],
    queryFn: () => listMessages(conn, { eventType: "alert.*", limit: 500 }),
    refetchInterval: 5000,
  });
  return (
    <Card title="Alerts">
      {alerts.data && !alerts.data.items.length && <p className="note">No alerts.</p>}
      <ul>
        {alerts.data?.items.map((m) => (
          <li key={`${m.eventId}:${m.id}`}>
            <strong>{m.eventType}</strong> at {when(m.timestamp)} (block {m.blockNumber})
          </li>
        ))}
      </ul>
      <Problem error={alerts.error} />
    </Card>
  );
}

export function Audit() {
  return (
    <ApiKeyGate scope="audit">
      {(conn) => (
        <>
          <Log conn={conn} />
          <Alerts conn={conn} />
        </>
      )}
    </ApiKeyGate>
  );
}
