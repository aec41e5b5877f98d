// The project at a glance: status, admin, keys set, and suspend / resume.
import { resumeProject, suspendProject } from "@onekey/sdk/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useProject } from "./project.tsx";
import { connected } from "../shell/handle.ts";
import { useOnChainProject } from "./gate.tsx";
import { Card, Problem, Status, shortHex, useAction, when } from "./ui.tsx";

export function projectName(metadataURI: string): string | undefined {
  const m = /^data:application\/json,(.*)$/.exec(metadataURI);
  if (!m) return undefined;
  try {
    const name = (JSON.parse(decodeURIComponent(m[1])) as { name?: unknown }).name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

export function Overview() {
  const { projectId, org } = useProject();
  const p = useOnChainProject();
  const qc = useQueryClient();
  const toggle = useAction(async (suspend: boolean) => {
    const h = connected(org);
    const r = suspend ? await suspendProject(h.client, { ...h.on, projectId }) : await resumeProject(h.client, { ...h.on, projectId });
    await qc.invalidateQueries({ queryKey: ["onchain-project"] });
    return r;
  });
  if (p.error) return <Problem error={p.error} />;
  if (!p.data) return <p aria-busy="true">Loading the project…</p>;
  const d = p.data;
  const unset = (k: string) => /^0x0*$/.test(k);
  return (
    <Card title="Overview">
      <dl>
        <dt>Name</dt>
        <dd>{projectName(d.metadataURI) ?? (d.metadataURI || "—")}</dd>
        <dt>Status</dt>
        <dd data-testid="project-status">{d.suspended ? "Suspended" : "Active"}</dd>
        <dt>Admin</dt>
        <dd>
          <code>{d.admin}</code>
        </dd>
        <dt>Created</dt>
        <dd>{when(d.createdAt)}</dd>
        <dt>Review key</dt>
        <dd>{unset(d.reviewKey) ? "not set" : `v${d.reviewKeyVersion} ${shortHex(d.reviewKey)}`}</dd>
        <dt>Escrow key</dt>
        <dd>{unset(d.escrowKey) ? "not set" : `v${d.escrowKeyVersion} ${shortHex(d.escrowKey)}`}</dd>
      </dl>
      {d.suspended ? (
        <button type="button" onClick={() => toggle.run(false)} disabled={!org || toggle.pending}>
          Resume project
        </button>
      ) : (
        <button type="button" className="danger" onClick={() => toggle.run(true)} disabled={!org || toggle.pending}>
          Suspend project
        </button>
      )}
      <p className="note">While suspended, the project’s members cannot act for it (no attestations, no reviews) and its API keys are refused.</p>
      {toggle.pending && <Status>Sending…</Status>}
      <Problem error={toggle.error} />
    </Card>
  );
}
