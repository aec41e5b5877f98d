// Analytics from the indexer's analytics API: totals, grants by purpose, attestations by level,
// and a series per hour or day (grants, attestations, audit accesses, revocations, sponsored ops).
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useProject } from "./project.tsx";
import { ApiKeyGate } from "./gate.tsx";
import { getAnalytics, type IndexerConnection } from "./lib/indexer.ts";
import { byKey } from "./lib/series.ts";
import { Card, Problem, eth } from "./ui.tsx";

function Charts({ conn }: { conn: IndexerConnection }) {
  const { projectId } = useProject();
  const [bucket, setBucket] = useState<"hour" | "day">("hour");
  const a = useQuery({
    queryKey: ["analytics", projectId.toString(), bucket],
    queryFn: () => getAnalytics(conn, { bucket, from: Math.floor(Date.now() / 1000) - (bucket === "hour" ? 7 : 90) * 86400 }),
    refetchInterval: 5000,
  });
  if (a.error) return <Problem error={a.error} />;
  if (!a.data) return <p aria-busy="true">Loading analytics…</p>;
  const t = a.data.totals;
  return (
    <>
      <Card title="Totals">
        <table aria-label="Totals">
          <tbody>
            <tr>
              <th scope="row">Records granted to the project</th>
              <td data-testid="total-records">{t.records}</td>
            </tr>
            <tr>
              <th scope="row">Grants</th>
              <td data-testid="total-grants">{t.grants}</td>
            </tr>
            <tr>
              <th scope="row">Attestations</th>
              <td data-testid="total-attestations">{t.attestations}</td>
            </tr>
            <tr>
              <th scope="row">Audit accesses</th>
              <td>{t.auditAccesses}</td>
            </tr>
            <tr>
              <th scope="row">Revocations (grants / attestations)</th>
              <td>
                {t.grantRevocations} / {t.attestationRevocations}
              </td>
            </tr>
            <tr>
              <th scope="row">Sponsored operations</th>
              <td>{t.sponsoredOperations}</td>
            </tr>
            <tr>
              <th scope="row">Gas sponsored / charged</th>
              <td>
                {eth(t.gasSponsoredWei)} / {eth(t.costChargedWei)}
              </td>
            </tr>
          </tbody>
        </table>
      </Card>
      <Card title="Grants by purpose and attestations by level">
        <div style={{ display: "flex", flexWrap: "wrap", gap: "1rem" }}>
          <div
            style={{ width: 420, height: 220 }}
            role="img"
            aria-label={`Grants by purpose: ${Object.entries(t.grantsByPurpose)
              .map(([k, v]) => `${k} ${v}`)
              .join(", ")}`}
          >
            <ResponsiveContainer>
              <BarChart data={byKey(t.grantsByPurpose, "purpose")}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="purpose" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="count" fill="#1f4fd1" />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <div
            style={{ width: 300, height: 220 }}
            role="img"
            aria-label={`Attestations by level: ${
              Object.entries(t.attestationsByLevel)
                .map(([k, v]) => `level ${k} ${v}`)
                .join(", ") || "none"
            }`}
          >
            <ResponsiveContainer>
              <BarChart data={byKey(t.attestationsByLevel, "level")}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="level" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="count" fill="#137333" />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
      </Card>
      <Card title="Over time">
        <label htmlFor="an-bucket">Per</label>
        <select id="an-bucket" value={bucket} onChange={(e) => setBucket(e.target.value as "hour" | "day")}>
          <option value="hour">hour (last 7 days)</option>
          <option value="day">day (last 90 days)</option>
        </select>
        <div style={{ width: "100%", height: 280 }} role="img" aria-label={`Activity per ${bucket}: ${a.data.series.length} buckets`}>
          <ResponsiveContainer>
            <LineChart data={a.data.series.map((s) => ({ ...s, start: s.start.slice(0, 16).replace("T", " ") }))}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="start" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Line dataKey="grants" stroke="#1f4fd1" />
              <Line dataKey="attestations" stroke="#137333" />
              <Line dataKey="auditAccesses" name="audit accesses" stroke="#8a6d00" />
              <Line dataKey="revocations" stroke="#b42318" />
              <Line dataKey="sponsoredOperations" name="sponsored ops" stroke="#6b4fd1" />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </Card>
    </>
  );
}

export function Analytics() {
  return <ApiKeyGate scope="analytics">{(conn) => <Charts conn={conn} />}</ApiKeyGate>;
}
