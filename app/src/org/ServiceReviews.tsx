// The review service's case queue for a project it serves: cases with their state, steps, provider
// result, SLA flags and history; a reviewer claims a case in manual review and approves (with a
// level) or declines it through the case API, each request signed by the connected wallet. The
// service then attests on-chain (or records the decline). The API key for the service is pasted
// once per tab (sessionStorage) and sent to the review service only. The granted fields can still
// be decrypted here, in memory, with the project's review key if this browser holds it.
import { useMemo, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useOneKey } from "../shell/OneKey.tsx";
import { useProject } from "./project.tsx";
import { useGrantedFields } from "./useGrantedFields.ts";
import { InvalidInputError } from "./lib/errors.ts";
import {
  actOnCase,
  allCases,
  caseActions,
  getCase,
  reviewKeySlot,
  type CaseAction,
  type CaseStatus,
  type ReviewCase,
  type ReviewServiceConnection,
  type StepName,
} from "./lib/review-service.ts";
import { Card, GrantedFields, Problem, Status, shortHex, useAction } from "./ui.tsx";

const STEPS: StepName[] = ["documents", "provider", "review", "attestation"];
const STATUS_TEXT: Record<CaseStatus, string> = {
  opened: "documents being checked",
  checking: "with the provider",
  manual_review: "manual review",
  attesting: "attesting on-chain",
  closed: "closed",
};
const at = (ms: number | undefined) => (ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "");
const stateText = (k: ReviewCase) => (k.status === "closed" ? `closed: ${k.outcome ?? "?"}` : STATUS_TEXT[k.status]);

function KeyForm({ url, onKey }: { url: string; onKey: (k: string) => void }) {
  const [draft, setDraft] = useState("");
  return (
    <form className="card gate" onSubmit={(e) => (e.preventDefault(), draft.trim() && onKey(draft.trim()))}>
      <p>This project's reviews go through its review service. Enter one of the project's API keys (“read” scope) to see its case queue.</p>
      <label htmlFor="review-service-key">Project API key for the review service</label>
      <input id="review-service-key" type="password" autoComplete="off" value={draft} onChange={(e) => setDraft(e.target.value)} />
      <button type="submit">Use this key</button>
      <p className="note">
        The key is kept in this tab only (until it closes) and sent only to the review service at <code>{new URL(url).origin}</code>.
      </p>
    </form>
  );
}

export function ServiceReviews({ url }: { url: string }) {
  const { network } = useOneKey();
  const { projectId } = useProject();
  const slot = useMemo(() => reviewKeySlot(network.chainId, projectId), [network.chainId, projectId]);
  const [apiKey, setApiKey] = useState<string | undefined>(() => slot.get());
  const use = (k: string | undefined) => (slot.set(k), setApiKey(k));
  if (!apiKey) return <KeyForm url={url} onKey={use} />;
  return <CaseQueue conn={{ url, apiKey, projectId }} forget={() => use(undefined)} />;
}

function CaseQueue({ conn, forget }: { conn: ReviewServiceConnection; forget: () => void }) {
  const [filter, setFilter] = useState<"open" | "all" | CaseStatus>("open");
  const [openId, setOpenId] = useState<string>();
  const cases = useQuery({
    queryKey: ["review-cases", conn.url, conn.projectId.toString(), conn.apiKey],
    queryFn: () => allCases(conn),
    refetchInterval: (q) => (q.state.error ? 5_000 : 2_000),
    retry: false,
  });
  const shown = (cases.data ?? [])
    .filter((k) => (filter === "all" ? true : filter === "open" ? k.status !== "closed" : k.status === filter))
    .sort((a, b) => b.openedAt - a.openedAt);
  const keyRefused = ["UnknownApiKey", "ApiKeyRevoked", "ApiKeyExpired", "MissingScope"].includes((cases.error as { code?: string } | null)?.code ?? "");
  return (
    <>
      <Card title="Case queue (review service)">
        <label htmlFor="case-filter">Show</label>
        <select id="case-filter" value={filter} onChange={(e) => setFilter(e.target.value as typeof filter)}>
          <option value="open">Open cases</option>
          <option value="manual_review">Manual review</option>
          <option value="closed">Closed</option>
          <option value="all">All</option>
        </select>
        <button type="button" className="link" onClick={forget}>
          Use another API key
        </button>
        <table aria-label="Case queue">
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Subject</th>
              <th scope="col">State</th>
              <th scope="col">Provider</th>
              <th scope="col">Level</th>
              <th scope="col">SLA</th>
              <th scope="col">Opened</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((k) => (
              <tr key={k.id} data-testid="case-row" data-case={k.id} data-record={k.recordId}>
                <td>
                  <code>{k.id}</code>
                </td>
                <td>
                  <code>{shortHex(k.subject)}</code>
                </td>
                <td data-testid="case-state">{stateText(k)}</td>
                <td data-testid="case-provider">{k.provider ? `${k.provider.name} (${k.steps.provider.status})` : `— (${k.steps.provider.status})`}</td>
                <td>{k.level ?? k.proposedLevel ?? ""}</td>
                <td>{k.slaBreached.length ? <strong>late: {k.slaBreached.join(", ")}</strong> : "on time"}</td>
                <td>{at(k.openedAt)}</td>
                <td>
                  <button type="button" aria-label={`Open case ${k.id}`} onClick={() => setOpenId(k.id)}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {cases.data && !shown.length && <p className="note">No case to show. A case opens when a person grants this project KYC_REVIEW.</p>}
        <Problem error={cases.error} />
        {keyRefused && (
          <button type="button" onClick={forget}>
            Enter another key
          </button>
        )}
      </Card>
      {openId && <CasePanel key={openId} conn={conn} caseId={openId} onClose={() => setOpenId(undefined)} />}
    </>
  );
}

function CasePanel({ conn, caseId, onClose }: { conn: ReviewServiceConnection; caseId: string; onClose: () => void }) {
  const { wallet } = useOneKey();
  const qc = useQueryClient();
  const detail = useQuery({
    queryKey: ["review-case", conn.url, conn.projectId.toString(), caseId],
    queryFn: () => getCase(conn, caseId),
    refetchInterval: 2_000,
    retry: false,
  });
  const k = detail.data;
  const [level, setLevel] = useState<string>();
  const act = useAction(async (a: CaseAction) => {
    if (!wallet) throw new InvalidInputError("wallet", "Connect the reviewer's wallet first: it signs each decision.");
    const signer = {
      address: wallet.address,
      signMessage: ({ message }: { message: string }) => wallet.wallet.signMessage({ account: wallet.wallet.account, message }),
    };
    const r = await actOnCase(conn, signer, caseId, a);
    await qc.invalidateQueries({ queryKey: ["review-case"] });
    await qc.invalidateQueries({ queryKey: ["review-cases"] });
    return r;
  });
  if (!k) return <Card title={`Case ${caseId}`}>{detail.error ? <Problem error={detail.error} /> : <Status>Loading the case…</Status>}</Card>;
  const can = caseActions(k, wallet?.address);
  const chosenLevel = Number(level ?? k.proposedLevel ?? 1);
  return (
    <Card title={`Case ${k.id}`} id="case-panel">
      <button type="button" className="link" onClick={onClose}>
        Close
      </button>
      <dl aria-label="Case">
        <dt>State</dt>
        <dd data-testid="case-panel-state">{stateText(k)}</dd>
        <dt>Record</dt>
        <dd>
          <code>{k.recordId}</code> (version {k.recordVersion})
        </dd>
        <dt>Subject</dt>
        <dd>
          <code>{k.subject}</code>
        </dd>
        {k.reasons.length > 0 && (
          <>
            <dt>Reasons</dt>
            <dd>{k.reasons.join(", ")}</dd>
          </>
        )}
        <dt>Level</dt>
        <dd>
          {k.level ?? (k.proposedLevel !== null ? `${k.proposedLevel} proposed` : "none yet")}
          {k.fourEyesFromLevel !== null ? ` (two reviewers from level ${k.fourEyesFromLevel})` : ""}
        </dd>
        <dt>Reviewer</dt>
        <dd>{k.assignee ? <code>{k.assignee}</code> : "nobody has taken it"}</dd>
        <dt>SLA</dt>
        <dd>{k.slaBreached.length ? `late: ${k.slaBreached.join(", ")}` : `on time (deadline ${at(k.deadline)})`}</dd>
        {k.attestationTx && (
          <>
            <dt>Attestation</dt>
            <dd>
              <code>{k.attestationTx}</code>
            </dd>
          </>
        )}
      </dl>
      <table aria-label="Steps">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {STEPS.map((s) => (
            <tr key={s}>
              <td>{s}</td>
              <td>{k.steps[s].status}</td>
              <td>{k.steps[s].attempts}</td>
              <td>{at(k.steps[s].startedAt)}</td>
              <td>{at(k.steps[s].finishedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <section aria-label="Provider result">
        <h3>Provider</h3>
        {k.provider ? (
          <p>
            {k.provider.name}, check <code>{k.provider.checkId}</code>:{" "}
            <span data-testid="provider-result">
              {k.providerResult
                ? `${k.providerResult.kind}${k.providerResult.reasons.length ? ` (${k.providerResult.reasons.join(", ")})` : ""}${
                    k.providerResult.riskLabels.length ? `; risk: ${k.providerResult.riskLabels.join(", ")}` : ""
                  }`
                : "no verdict yet"}
            </span>
          </p>
        ) : (
          <p className="note">No provider check (yet).</p>
        )}
      </section>
      {k.reviews.length > 0 && (
        <section aria-label="Votes">
          <h3>Votes</h3>
          <ul>
            {k.reviews.map((r) => (
              <li key={`${r.reviewer}-${r.at}`}>
                <code>{shortHex(r.reviewer)}</code>: {r.decision}
                {r.level !== null ? ` at level ${r.level}` : ""} ({at(r.at)})
              </li>
            ))}
          </ul>
        </section>
      )}
      {k.status === "manual_review" && (
        <section aria-label="Decision">
          <h3>Decision</h3>
          {!wallet && <p className="note">Connect the reviewer's wallet: it signs each decision.</p>}
          {can.why && <p className="note">{can.why}</p>}
          {can.claim && (
            <button type="button" onClick={() => act.run({ action: "claim" })} disabled={!wallet || act.pending}>
              Take this case
            </button>
          )}
          {can.decide && (
            <form onSubmit={(e) => (e.preventDefault(), act.run({ action: "decide", decision: "approve", level: chosenLevel }))}>
              <label htmlFor="case-level">Level to attest</label>
              <input id="case-level" type="number" min={1} max={255} value={String(chosenLevel)} onChange={(e) => setLevel(e.target.value)} />
              <button type="submit" disabled={act.pending}>
                Approve
              </button>
              <button type="button" className="danger" onClick={() => act.run({ action: "decide", decision: "decline" })} disabled={act.pending}>
                Decline
              </button>
              <button type="button" className="link" onClick={() => act.run({ action: "release" })} disabled={act.pending}>
                Give it back
              </button>
            </form>
          )}
          <p className="note">
            Each action is signed by your wallet (a message, no transaction); the review service attests on-chain once the case is approved.
          </p>
          {act.pending && <Status>Signing and sending…</Status>}
          <Problem error={act.error} />
        </section>
      )}
      {k.status !== "closed" && <DecryptGranted recordId={k.recordId} />}
      <table aria-label="History">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {k.transitions.map((t) => (
            <tr key={t.seq}>
              <td>{at(t.at)}</td>
              <td>{t.event}</td>
              <td>{t.from}</td>
              <td>{t.to}</td>
              <td>{t.actor ? <code>{shortHex(t.actor)}</code> : "service"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** The manual step's look at the granted fields: decrypted here with the review key this browser holds, never sent anywhere. */
function DecryptGranted({ recordId }: { recordId: `0x${string}` }) {
  const { fields, open, canOpen } = useGrantedFields(recordId);
  return (
    <section aria-label="Granted fields (this browser)">
      <h3>Granted fields</h3>
      {!fields ? (
        <>
          <button type="button" onClick={() => open.run()} disabled={!canOpen || open.pending}>
            Decrypt in this browser
          </button>
          <p className="note">Needs the project's review key in this browser (Keys). The fields are decrypted here and sent nowhere.</p>
        </>
      ) : (
        <GrantedFields fields={fields} />
      )}
      {open.pending && <Status>Decrypting…</Status>}
      <Problem error={open.error} />
    </section>
  );
}
