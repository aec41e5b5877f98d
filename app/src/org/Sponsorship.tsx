// Sponsorship: the project's budget in the paymaster, funding it from the connected wallet, and
// what sponsored operations cost over time (indexed UserOperationSponsored charges). Sponsor
// alerts (balance low, spend jump) come from the project's messages when an API key is entered;
// refusals (who was refused sponsorship and why) from the sponsor service's log, with the same key.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { getAddress, isAddress, parseEther } from "viem";
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { fundProject, getProjectBalance } from "@onekey/sdk/aa";
import { useOneKey } from "../shell/OneKey.tsx";
import { useProject } from "./project.tsx";
import { listMessages } from "./lib/indexer.ts";
import { spendSeries } from "./lib/series.ts";
import { InvalidInputError } from "./lib/errors.ts";
import { listRefusals, refusalCounts, refusalSeries, refusalWords } from "./lib/refusals.ts";
import { short } from "../shell/Layout.tsx";
import { ApiKeyGate } from "./gate.tsx";
import { Card, Problem, Status, eth, useAction, when } from "./ui.tsx";

const REASON_COLOURS = ["#b42318", "#1f4fd1", "#b54708", "#067647", "#6941c6", "#c11574", "#475467"];

/** The sponsor service's refusals for this project: per hour by reason, and the newest ones. */
function Refusals({ apiKey }: { apiKey: string }) {
  const { network } = useOneKey();
  const { projectId } = useProject();
  const c = { url: network.sponsorUrl, apiKey, projectId };
  const key = [network.chainId, projectId.toString(), apiKey];
  const counts = useQuery({ queryKey: ["refusal-counts", ...key], queryFn: () => refusalCounts(c), refetchInterval: 3000 });
  const recent = useQuery({ queryKey: ["refusals", ...key], queryFn: () => listRefusals(c, { limit: 50 }), refetchInterval: 3000 });
  const series = counts.data ? refusalSeries(counts.data) : undefined;
  return (
    <Card title="Refusals">
      <p data-testid="refusal-total">{counts.data ? `${counts.data.total} refused in the last 7 days.` : "Loading…"}</p>
      {series && series.rows.length > 0 && (
        <div style={{ width: "100%", height: 260 }} role="img" aria-label={`Refusals per hour: ${series.rows.length} hours, ${counts.data!.total} in total`}>
          <ResponsiveContainer>
            <BarChart data={series.rows}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="hour" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              {series.reasons.map((r, i) => (
                <Bar key={r} dataKey={r} name={refusalWords(r)} stackId="refusals" fill={REASON_COLOURS[i % REASON_COLOURS.length]} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      {recent.data && recent.data.items.length > 0 ? (
        <table aria-label="Recent refusals">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Why</th>
              <th scope="col">Account</th>
              <th scope="col">Call</th>
            </tr>
          </thead>
          <tbody>
            {recent.data.items.map((r) => (
              <tr key={r.id}>
                <td>{when(BigInt(Math.floor(Date.parse(r.time) / 1000)))}</td>
                <td>
                  {refusalWords(r.reason)} <code className="note">{r.reason}</code>
                </td>
                <td title={r.sender ?? undefined}>{r.sender && isAddress(r.sender) ? short(getAddress(r.sender)) : "—"}</td>
                <td>
                  {r.method ?? "—"}
                  {r.nonce !== null && <span className="note"> (nonce {r.nonce})</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        recent.data && <p className="note">No refusals.</p>
      )}
      <p className="note">
        Refused requests for this project, as the sponsor service logged them: the account, its nonce and the function called, nothing else. The newest rows are
        kept; the counts cover every refusal.
      </p>
      <Problem error={counts.error ?? recent.error} />
    </Card>
  );
}

export function Sponsorship() {
  const { publicClient, network, indexer, wallet } = useOneKey();
  const { projectId, conn } = useProject();
  const qc = useQueryClient();
  const paymaster = network.addresses.paymaster;
  const balance = useQuery({
    queryKey: ["sponsor-balance", projectId.toString()],
    enabled: !!paymaster,
    queryFn: () => getProjectBalance(publicClient, { paymaster: paymaster!, projectId }),
    refetchInterval: 2000,
  });
  const charges = useQuery({
    queryKey: ["sponsorships", projectId.toString()],
    queryFn: () =>
      indexer.graphql<{ sponsorships: { items: { timestamp: string; charged: string; sender: string }[] } }>(
        `query($p: BigInt!) { sponsorships(where: { projectId: $p }, orderBy: "timestamp", limit: 1000) { items { timestamp charged sender } } }`,
        { p: projectId.toString() },
      ),
    refetchInterval: 3000,
  });
  const alerts = useQuery({
    queryKey: ["sponsor-alerts", projectId.toString(), !!conn],
    enabled: !!conn,
    queryFn: () => listMessages(conn!, { eventType: "alert.*", limit: 200 }),
    refetchInterval: 5000,
  });
  const [amount, setAmount] = useState("0.1");
  const fund = useAction(async () => {
    let value: bigint;
    try {
      value = parseEther(amount.trim());
    } catch {
      throw new InvalidInputError("amount", "Enter an amount in ETH, like 0.1.");
    }
    if (value <= 0n) throw new InvalidInputError("amount", "The amount must be more than zero.");
    const r = await fundProject(wallet!.wallet, { paymaster: paymaster!, projectId, value });
    await qc.invalidateQueries({ queryKey: ["sponsor-balance"] });
    return r;
  });
  const series = spendSeries(charges.data?.sponsorships.items ?? []);
  const sponsorAlerts = (alerts.data?.items ?? []).filter((m) => m.eventType.startsWith("alert.sponsor"));
  if (!paymaster)
    return (
      <Card title="Sponsorship">
        <p>This network's configuration names no paymaster.</p>
      </Card>
    );
  return (
    <>
      <Card title="Sponsorship balance">
        <p data-testid="sponsor-balance">{balance.data === undefined ? "Loading…" : eth(balance.data)}</p>
        <form onSubmit={(e) => (e.preventDefault(), fund.run())}>
          <label htmlFor="fund-amount">Fund the project's sponsorship (ETH, from the connected wallet)</label>
          <input id="fund-amount" type="text" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
          <button type="submit" disabled={!wallet || fund.pending}>
            Fund
          </button>
        </form>
        {fund.pending && <Status>Sending…</Status>}
        {fund.result && !fund.pending && <Status>Funded in transaction {fund.result.transactionHash.slice(0, 12)}….</Status>}
        <Problem error={balance.error ?? fund.error} />
      </Card>
      <Card title="Spend over time">
        {series.length ? (
          <div
            style={{ width: "100%", height: 260 }}
            role="img"
            aria-label={`Sponsored spend per hour: ${series.length} hours, ${series.at(-1)!.cumulativeEth} ETH in total`}
          >
            <ResponsiveContainer>
              <ComposedChart data={series}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="start" />
                <YAxis />
                <Tooltip />
                <Legend />
                <Bar dataKey="spentEth" name="spent (ETH)" fill="#1f4fd1" />
                <Line dataKey="cumulativeEth" name="total (ETH)" stroke="#b42318" />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
        ) : (
          <p className="note">No sponsored operations yet.</p>
        )}
        <p data-testid="sponsored-ops">{charges.data?.sponsorships.items.length ?? 0} sponsored operations.</p>
        <Problem error={charges.error} />
      </Card>
      <Card title="Sponsor alerts">
        {!conn && <p className="note">Enter an API key (webhooks scope) on the Webhooks or Audit page to see alerts.</p>}
        <ul>
          {sponsorAlerts.map((m) => (
            <li key={m.id}>
              {m.eventType} at {when(m.timestamp)}
            </li>
          ))}
        </ul>
        {conn && !sponsorAlerts.length && <p className="note">No sponsor alerts.</p>}
        <Problem error={alerts.error} />
      </Card>
      <ApiKeyGate scope="read">{(c) => <Refusals apiKey={c.apiKey} />}</ApiKeyGate>
    </>
  );
}
