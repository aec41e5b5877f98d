// Reviews. For a project the configured review service serves (services/review; it lists them at
// /health), the service's case queue: each case's state, steps, provider result, SLA flags and
// history, and the manual / four-eyes decisions made through its case API, each request signed by
// the reviewer's wallet; the API key for it is pasted once and kept in this tab's sessionStorage,
// sent to the review service only. For any other project, the in-browser review: the queue of
// records granted to the project for KYC_REVIEW, opened with the project's review key (only the
// granted fields are decrypted, here, in memory), then approved (an attestation on-chain: level,
// expiry, claims) or rejected (kept in this browser; an earlier attestation is revoked). The
// in-browser decrypt stays available on a service case too: plaintext never leaves this page.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useOneKey } from "../shell/OneKey.tsx";
import { connected } from "../shell/handle.ts";
import { useProject } from "./project.tsx";
import { useGrantedFields } from "./useGrantedFields.ts";
import { ApiKeyGate, useOnChainProject } from "./gate.tsx";
import { allPages, listGrants, type GrantRow, type IndexerConnection } from "./lib/indexer.ts";
import { countBits, toggle } from "./lib/field-mask.ts";
import { approve, CLAIM_NAMES, localDecisionLog, reject, reviewQueue } from "./lib/reviews.ts";
import type { ClaimName } from "@onekey/sdk/contracts";
import { Card, GrantedFields, Problem, Status, shortHex, useAction, when } from "./ui.tsx";
import { ServiceReviews } from "./ServiceReviews.tsx";
import { reviewRoute, servedProjects, type ServedProjects } from "./lib/review-service.ts";

const REASONS = ["DOCUMENT_UNREADABLE", "DOCUMENT_EXPIRED", "DATA_MISMATCH", "INCOMPLETE", "OTHER"] as const;

function ReviewPanel({ grant, onDone }: { grant: GrantRow; onDone: () => void }) {
  const { publicClient, network } = useOneKey();
  const { projectId, org } = useProject();
  const { fields, open, clear } = useGrantedFields(grant.recordId);
  const [level, setLevel] = useState("1");
  const [expiry, setExpiry] = useState(new Date(Date.now() + 365 * 86400_000).toISOString().slice(0, 10));
  const [claims, setClaims] = useState<Set<ClaimName>>(new Set());
  const [reason, setReason] = useState<(typeof REASONS)[number]>("DOCUMENT_UNREADABLE");
  const log = localDecisionLog(network.chainId, projectId);
  const decide = useAction(async (outcome: "approved" | "rejected") => {
    if (outcome === "approved") {
      const now = (await publicClient.getBlock()).timestamp;
      const exp = BigInt(Math.floor(Date.parse(`${expiry}T23:59:59Z`) / 1000) || 0);
      await approve(connected(org), { projectId, subject: grant.owner, recordId: grant.recordId, level: Number(level), expiry: exp, claims: [...claims], now });
      log.add({ recordId: grant.recordId, grantId: grant.id, outcome, at: new Date().toISOString(), level: Number(level) });
    } else {
      await reject(connected(org), { projectId, subject: grant.owner });
      log.add({ recordId: grant.recordId, grantId: grant.id, outcome, at: new Date().toISOString(), reason });
    }
    clear();
    onDone();
    return outcome;
  });
  return (
    <Card title={`Review record ${shortHex(grant.recordId)}`} id="review-panel">
      <p className="note">
        Subject <code>{grant.owner}</code>; {countBits(BigInt(grant.fieldMask))} field(s) granted until {when(grant.expiry)}.
      </p>
      {!fields && (
        <>
          <button type="button" onClick={() => open.run()} disabled={!org || open.pending}>
            Decrypt in this browser
          </button>
          <p className="note">
            Downloads the encrypted bundle, checks its hash against the chain, and decrypts only the granted fields with the project's review key held in this
            browser.
          </p>
        </>
      )}
      {open.pending && <Status>Decrypting…</Status>}
      <Problem error={open.error} />
      {fields && (
        <>
          <GrantedFields fields={fields} />
          <form onSubmit={(e) => (e.preventDefault(), decide.run("approved"))}>
            <label htmlFor="rv-level">Level</label>
            <input id="rv-level" type="number" min={1} max={255} value={level} onChange={(e) => setLevel(e.target.value)} />
            <label htmlFor="rv-expiry">Attestation expires at the end of</label>
            <input id="rv-expiry" type="date" value={expiry} onChange={(e) => setExpiry(e.target.value)} />
            <fieldset>
              <legend>Claims (only the bits go on-chain)</legend>
              {CLAIM_NAMES.map((c) => (
                <label key={c} style={{ display: "inline-block", marginRight: "1rem" }}>
                  <input type="checkbox" checked={claims.has(c)} onChange={() => setClaims((s) => toggle(s, c))} /> {c}
                </label>
              ))}
            </fieldset>
            <button type="submit" disabled={decide.pending}>
              Approve and attest
            </button>
          </form>
          <form onSubmit={(e) => (e.preventDefault(), decide.run("rejected"))}>
            <label htmlFor="rv-reason">Reason for rejecting</label>
            <select id="rv-reason" value={reason} onChange={(e) => setReason(e.target.value as (typeof REASONS)[number])}>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <button type="submit" className="danger" disabled={decide.pending}>
              Reject
            </button>
            <p className="note">
              A rejection is kept in this browser (the contracts record no declines); an attestation this project gave the subject earlier is revoked.
            </p>
          </form>
          {decide.pending && <Status>Sending…</Status>}
          <Problem error={decide.error} />
        </>
      )}
    </Card>
  );
}

function Queue({ conn }: { conn: IndexerConnection }) {
  const { network } = useOneKey();
  const { projectId } = useProject();
  const qc = useQueryClient();
  const grants = useQuery({
    queryKey: ["review-grants", projectId.toString()],
    queryFn: () => allPages((after) => listGrants(conn, { state: "live", after, limit: 500 })),
    refetchInterval: 2000,
  });
  const [version, setVersion] = useState(0);
  const q = reviewQueue(grants.data ?? [], localDecisionLog(network.chainId, projectId).list());
  const [openId, setOpenId] = useState<string>();
  const current = q.open.find((g) => g.id === openId);
  void version;
  return (
    <>
      <Card title="Review queue">
        <table aria-label="Review queue">
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Subject</th>
              <th scope="col">Fields</th>
              <th scope="col">Granted</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {q.open.map((g) => (
              <tr key={g.id} data-testid="review-row">
                <td>
                  <code>{shortHex(g.recordId)}</code>
                </td>
                <td>
                  <code>{shortHex(g.owner)}</code>
                </td>
                <td>{countBits(BigInt(g.fieldMask))}</td>
                <td>{when(g.grantedAt)}</td>
                <td>
                  <button type="button" aria-label={`Review record ${g.recordId}`} onClick={() => setOpenId(g.id)}>
                    Review
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {grants.data && !q.open.length && <p className="note">Nothing to review: no live KYC_REVIEW grant without a decision.</p>}
        <Problem error={grants.error} />
      </Card>
      {current && (
        <ReviewPanel
          key={current.id}
          grant={current}
          onDone={() => (setOpenId(undefined), setVersion((v) => v + 1), qc.invalidateQueries({ queryKey: ["review-grants"] }))}
        />
      )}
      {q.decided.length > 0 && (
        <Card title="Decided in this browser">
          <ul>
            {q.decided.map((g) => (
              <li key={g.id}>
                <code>{shortHex(g.recordId)}</code>: {g.decision!.outcome}
                {g.decision!.level ? ` (level ${g.decision!.level})` : ""}
                {g.decision!.reason ? ` (${g.decision!.reason})` : ""}
              </li>
            ))}
          </ul>
        </Card>
      )}
    </>
  );
}

function InBrowserReviews() {
  return <ApiKeyGate scope="read">{(conn) => <Queue conn={conn} />}</ApiKeyGate>;
}

// Which projects the review service served when it last answered, for this tab: while it is down,
// a project it serves must not fall back to the in-browser review (both would attest).
const servedMemory = {
  key: (url: string) => `onekey:review-service-served:${url}`,
  get(url: string): ServedProjects {
    try {
      return JSON.parse(sessionStorage.getItem(this.key(url)) ?? "{}") as ServedProjects;
    } catch {
      return {};
    }
  },
  set(url: string, served: ServedProjects) {
    sessionStorage.setItem(this.key(url), JSON.stringify(served));
  },
};

export function Reviews() {
  const { network } = useOneKey();
  const { projectId } = useProject();
  const onChain = useOnChainProject();
  const url = network.reviewUrl;
  const served = useQuery({
    queryKey: ["review-service-projects", url],
    enabled: !!url,
    queryFn: async () => {
      const s = await servedProjects(url!);
      servedMemory.set(url!, s);
      return s;
    },
    retry: false,
    refetchInterval: (q) => (q.state.error ? 3_000 : 30_000),
  });
  if (!url) return <InBrowserReviews />;
  if (onChain.error && !onChain.data) return <Problem error={onChain.error} />;
  if (served.isLoading || !onChain.data) return <Status>Asking the review service which projects it serves…</Status>;
  const reviewKey = onChain.data.reviewKey;
  if (served.error) {
    const knownServed = reviewRoute(servedMemory.get(url), projectId, reviewKey) === "service";
    return (
      <>
        <Card title="Review service">
          <Problem error={served.error} />
          <p className="note">
            {knownServed
              ? "This project's reviews go through the review service: its case queue shows here again as soon as it answers (checked every few seconds)."
              : "Until it answers, this page shows the review this browser can do on its own."}
          </p>
          <button type="button" onClick={() => served.refetch()} disabled={served.isFetching}>
            Try again
          </button>
        </Card>
        {!knownServed && <InBrowserReviews />}
      </>
    );
  }
  const route = reviewRoute(served.data ?? {}, projectId, reviewKey);
  if (route === "service") return <ServiceReviews url={url} />;
  return (
    <>
      {route === "unconnected" && (
        <p className="note" data-testid="review-service-unconnected">
          The review service at {new URL(url).origin} is set up for this project, but the project's registered review key is not the service's, so grants to it
          are opened in this browser, not by the service. To hand reviews to the service, register its review key (and an API key for it).
        </p>
      )}
      <InBrowserReviews />
    </>
  );
}
