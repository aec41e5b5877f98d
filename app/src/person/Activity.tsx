// Grants (live / expired / revoked, with revoke), attestations per project, and every audit
// access that touched one of the person's records: who looked at my data and why.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { decodeClaims, revoke } from "@onekey/sdk/contracts";
import { useOneKey } from "../shell/OneKey.tsx";
import { ErrorView } from "../shell/Layout.tsx";
import { projectName, useAuditAccesses, useChainTime, useMyAttestations, useMyGrants, useMyRecords, useProjects, type GrantRow } from "./data.ts";
import { grantStateOf, purposeLabel } from "./fields.ts";

const when = (t: string | bigint) => new Date(Number(t) * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";

function useProjectNames(ids: (string | null)[]) {
  const list = [...new Set(ids.filter((x): x is string => !!x))];
  const projects = useProjects(list).data?.projects.items ?? [];
  return (id: string | null) =>
    projectName(
      projects.find((p) => p.id === id),
      id ?? "?",
    );
}

export function Grants() {
  const { account } = useOneKey();
  const grants = useMyGrants();
  const records = useMyRecords();
  const now = useChainTime();
  const rows = (grants.data?.grants.items ?? []).filter((g) => g.granteeAccount?.toLowerCase() !== account?.address.toLowerCase());
  const name = useProjectNames(rows.map((g) => g.granteeProjectId));
  const recordOf = (id: string) => records.data?.records.items.find((r) => r.id === id);
  return (
    <section className="card" aria-labelledby="grants-h">
      <h2 id="grants-h">Who I granted access</h2>
      {grants.error && <ErrorView error={grants.error} onRetry={() => void grants.refetch()} />}
      {grants.isSuccess && rows.length === 0 && <p>You have not granted anyone access.</p>}
      {rows.length > 0 && (
        <table>
          <caption className="note">State is judged by the chain's clock.</caption>
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Record</th>
              <th scope="col">Purpose</th>
              <th scope="col">Fields</th>
              <th scope="col">Until</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => {
              const r = recordOf(g.recordId);
              const state =
                now === undefined || !r
                  ? undefined
                  : grantStateOf({ revoked: g.revoked, expiry: BigInt(g.expiry), recordVersion: g.recordVersion }, r.version, r.erased, now);
              return (
                <GrantRowView key={g.id} g={g} project={g.granteeKind === "project" ? name(g.granteeProjectId) : (g.granteeAccount ?? "?")} state={state} />
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function GrantRowView({ g, project, state }: { g: GrantRow; project: string; state?: string }) {
  const { getAccount } = useOneKey();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const fields = BigInt(g.fieldMask).toString(2).replaceAll("0", "").length;
  const doRevoke = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const a = await getAccount();
      await revoke(a.client, { ...a.on, recordId: g.recordId, grantee: g.grantee });
      await queryClient.invalidateQueries({ queryKey: ["indexer"] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td>{project}</td>
      <td>
        <code>{g.recordId.slice(0, 10)}</code>
      </td>
      <td>{purposeLabel(g.purpose)}</td>
      <td>{fields}</td>
      <td>{when(g.expiry)}</td>
      <td className={`state-${state}`} data-testid="grant-state">
        {state ?? "..."}
      </td>
      <td>
        {state === "live" && (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void doRevoke()}
            aria-label={`Revoke ${project}'s access to record ${g.recordId.slice(0, 10)}`}
          >
            {busy ? "Revoking..." : "Revoke"}
          </button>
        )}
        {error !== undefined && <ErrorView error={error} onRetry={() => void doRevoke()} />}
      </td>
    </tr>
  );
}

export function Attestations() {
  const att = useMyAttestations();
  const now = useChainTime();
  const rows = att.data?.attestations.items ?? [];
  const name = useProjectNames(rows.map((a) => a.projectId));
  return (
    <section className="card" aria-labelledby="att-h">
      <h2 id="att-h">My verifications</h2>
      {att.error && <ErrorView error={att.error} onRetry={() => void att.refetch()} />}
      {att.isSuccess && rows.length === 0 && <p>No project has verified you yet.</p>}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Level</th>
              <th scope="col">Claims</th>
              <th scope="col">Valid until</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => {
              const state = a.revoked ? "revoked" : now !== undefined && BigInt(a.expiry) <= now ? "expired" : "live";
              return (
                <tr key={a.id} data-testid="attestation">
                  <td>{name(a.projectId)}</td>
                  <td>Level {a.level}</td>
                  <td>
                    {decodeClaims(Number(a.claims))
                      .names.map((n) => n.toLowerCase().replaceAll("_", " "))
                      .join(", ") || "none"}
                  </td>
                  <td>{when(a.expiry)}</td>
                  <td className={`state-${state}`}>{state}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function AuditAccesses() {
  const records = useMyRecords();
  const ids = (records.data?.records.items ?? []).map((r) => r.id);
  const audits = useAuditAccesses(ids);
  const rows = audits.data?.auditAccesss.items ?? [];
  const name = useProjectNames(rows.map((a) => a.projectId));
  return (
    <section className="card" aria-labelledby="audit-h">
      <h2 id="audit-h">Who looked at my data and why</h2>
      <p className="note">
        An auditor can open a record only after logging the reason on-chain (the hash of its authorisation, e.g. a court order). Every such access is listed
        here.
      </p>
      {audits.error && <ErrorView error={audits.error} onRetry={() => void audits.refetch()} />}
      {ids.length === 0 || (audits.isSuccess && rows.length === 0) ? <p>No audit access to your records.</p> : null}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Project</th>
              <th scope="col">Record</th>
              <th scope="col">Auditor</th>
              <th scope="col">Authorisation hash</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id} data-testid="audit-access">
                <td>{when(a.timestamp)}</td>
                <td>{name(a.projectId)}</td>
                <td>
                  <code>{a.recordId.slice(0, 10)}</code>
                </td>
                <td>
                  <code>{a.auditor.slice(0, 10)}</code>
                </td>
                <td>
                  <code>{a.authorisationHash}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
