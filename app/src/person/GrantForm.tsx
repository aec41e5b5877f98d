// Grant a project: search it by id or name (indexer), choose the purpose, the expiry and exactly
// which fields; only those fields' keys are sealed to the project's review key.
import { useState, type FormEvent } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Manifest } from "@onekey/sdk/crypto";
import type { PurposeName } from "@onekey/sdk/constants";
import { grantAccess } from "@onekey/sdk/flows";
import { recordDek } from "@onekey/sdk/keys";
import { useOneKey } from "../shell/OneKey.tsx";
import { ErrorView } from "../shell/Layout.tsx";
import { projectName, type ProjectRow, type RecordRow } from "./data.ts";
import { fieldLabel, grantMask, PURPOSES } from "./fields.ts";
import { AppError } from "../shell/errors.ts";

export function useProjectSearch(q: string) {
  const { indexer, network } = useOneKey();
  const term = q.trim();
  return useQuery({
    queryKey: ["projectSearch", network.chainId, term],
    enabled: term.length > 0,
    queryFn: async () => {
      const byId = /^\d{1,30}$/.test(term);
      const data = await indexer.graphql<{ projects: { items: ProjectRow[] } }>(
        byId
          ? `query($id: BigInt!) { projects(where: { id: $id }, limit: 1) { items { id metadataURI suspended reviewKey } } }`
          : `query($q: String!) { projects(where: { metadataURI_contains: $q }, limit: 10) { items { id metadataURI suspended reviewKey } } }`,
        byId ? { id: term } : { q: term },
      );
      return data.projects.items;
    },
  });
}

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);

export function GrantForm({ record, manifest, onDone }: { record: RecordRow; manifest: Manifest; onDone(): void }) {
  const { getAccount, keys } = useOneKey();
  const queryClient = useQueryClient();
  const [q, setQ] = useState("");
  const [projectId, setProjectId] = useState<string>();
  const [purpose, setPurpose] = useState<PurposeName>("KYC_REVIEW");
  const [expiry, setExpiry] = useState(inDays(30));
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const found = useProjectSearch(q);
  const idPrefix = `g-${record.id.slice(2, 10)}`;

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(undefined);
    if (!projectId) return setError(new AppError("Choose a project first.", "Search by its id or name."));
    if (chosen.length === 0) return setError(new AppError("Choose at least one field to share.", "Only the fields you tick are disclosed."));
    const until = BigInt(Math.floor(new Date(`${expiry}T23:59:59Z`).getTime() / 1000));
    if (!(until > BigInt(Math.floor(Date.now() / 1000)))) return setError(new AppError("The expiry must be in the future.", "Pick a later date."));
    setBusy(true);
    try {
      const account = await getAccount();
      await grantAccess(account.client, {
        ...account.on,
        recordId: record.id,
        version: record.version,
        dek: await recordDek(keys!.ownerSecret, record.id, record.version),
        manifest,
        grantee: { projectId: BigInt(projectId) },
        fields: chosen,
        purpose,
        expiry: until,
      });
      await queryClient.invalidateQueries({ queryKey: ["indexer"] });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Grant a project" className="grant-form">
      <label htmlFor={`${idPrefix}-q`}>Find a project by id or name</label>
      <input id={`${idPrefix}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      {found.error && <ErrorView error={found.error} />}
      {found.data && found.data.length === 0 && <p>No project matches.</p>}
      {found.data && found.data.length > 0 && (
        <fieldset>
          <legend>Project</legend>
          {found.data.map((p) => (
            <label key={p.id}>
              <input
                type="radio"
                name={`${idPrefix}-project`}
                value={p.id}
                checked={projectId === p.id}
                onChange={() => setProjectId(p.id)}
                disabled={p.suspended}
              />{" "}
              {projectName(p)}
              {p.suspended ? " (suspended)" : ""}
              {!p.reviewKey ? " (has no review key yet)" : ""}
            </label>
          ))}
        </fieldset>
      )}
      <label htmlFor={`${idPrefix}-purpose`}>Purpose</label>
      <select id={`${idPrefix}-purpose`} value={purpose} onChange={(e) => setPurpose(e.target.value as PurposeName)}>
        {PURPOSES.map((p) => (
          <option key={p.name} value={p.name}>
            {p.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${idPrefix}-expiry`}>Access ends on</label>
      <input id={`${idPrefix}-expiry`} type="date" value={expiry} min={inDays(0)} onChange={(e) => setExpiry(e.target.value)} />
      <FieldPicker manifest={manifest} chosen={chosen} onChange={setChosen} />
      <button type="submit" disabled={busy}>
        {busy ? "Granting..." : "Grant access"}
      </button>
      {error !== undefined && <ErrorView error={error} onRetry={() => void submit()} />}
    </form>
  );
}

/** Exactly which fields: one checkbox per manifest field; the mask shown is what goes on-chain. */
export function FieldPicker({ manifest, chosen, onChange }: { manifest: Manifest; chosen: string[]; onChange(names: string[]): void }) {
  const toggle = (name: string, on: boolean) => onChange(manifest.fields.map((f) => f.name).filter((n) => (n === name ? on : chosen.includes(n))));
  return (
    <fieldset>
      <legend>Fields to share</legend>
      {manifest.fields.map((f) => (
        <label key={f.name}>
          <input type="checkbox" checked={chosen.includes(f.name)} onChange={(e) => toggle(f.name, e.target.checked)} /> {fieldLabel(f.name)}
        </label>
      ))}
      <p className="note" data-testid="mask">
        Sharing {chosen.length} of {manifest.fields.length} fields (mask 0b{grantMask(manifest, chosen).toString(2)}).
      </p>
    </fieldset>
  );
}
