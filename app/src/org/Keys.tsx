// Review and escrow keys, generated in this browser. The private half is stored here
// (IndexedDB, non-extractable) and in a passphrase-encrypted backup file the team downloads before
// the public half is registered on-chain; it is never sent anywhere. Another reviewer's browser
// imports the backup.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { setEscrowKey, setReviewKey } from "@onekey/sdk/contracts";
import { indexedDbKeyStore } from "@onekey/sdk/keys";
import { useOneKey } from "../shell/OneKey.tsx";
import { useProject } from "./project.tsx";
import { connected } from "../shell/handle.ts";
import { useOnChainProject } from "./gate.tsx";
import { createProjectKey, importProjectKey, MIN_PASSPHRASE, projectKeyAgreement, type ProjectKeyKind } from "./lib/keys.ts";
import { download } from "./lib/download.ts";
import { InvalidInputError } from "./lib/errors.ts";
import { Card, Problem, Status, shortHex, useAction } from "./ui.tsx";

/** The console's key store: one IndexedDB database for the organisation's keys. */
export const orgKeyStore = () => indexedDbKeyStore({ database: "onekey-org-keys" });

const LABEL: Record<ProjectKeyKind, string> = { review: "Review key", escrow: "Audit-escrow key" };
const WHY: Record<ProjectKeyKind, string> = {
  review: "Grants to the project are wrapped to this key; reviewers open records with it.",
  escrow: "Every grant also carries a wrap to this key, usable by an AUDITOR only after an audit access is recorded on-chain.",
};

function KeyCard({ kind }: { kind: ProjectKeyKind }) {
  const { network } = useOneKey();
  const { projectId, org } = useProject();
  const p = useOnChainProject();
  const qc = useQueryClient();
  const publicKey = p.data ? (kind === "review" ? p.data.reviewKey : p.data.escrowKey) : undefined;
  const version = p.data ? (kind === "review" ? p.data.reviewKeyVersion : p.data.escrowKeyVersion) : 0;
  const held = useQuery({
    queryKey: ["key-held", kind, network.chainId, projectId.toString(), publicKey],
    enabled: !!publicKey,
    queryFn: async () => !!(await projectKeyAgreement(orgKeyStore(), { kind, chainId: network.chainId, projectId, publicKey: publicKey! })),
  });
  const [pass, setPass] = useState("");
  const [pass2, setPass2] = useState("");
  const generate = useAction(async () => {
    const h = connected(org);
    if (pass.length < MIN_PASSPHRASE) throw new InvalidInputError("passphrase", `Choose a backup passphrase of at least ${MIN_PASSPHRASE} characters.`);
    if (pass !== pass2) throw new InvalidInputError("passphrase", "The two passphrases differ.");
    const made = await createProjectKey(orgKeyStore(), { kind, chainId: network.chainId, projectId, passphrase: pass });
    // The backup is saved before the key is registered: a key the chain names must never exist only in one browser.
    download({ name: `onekey-project-${projectId}-${kind}-key-backup.json`, type: "application/json", text: `${JSON.stringify(made.backup, null, 2)}\n` });
    const r =
      kind === "review"
        ? await setReviewKey(h.client, { ...h.on, projectId, publicKey: made.publicKey })
        : await setEscrowKey(h.client, { ...h.on, projectId, publicKey: made.publicKey });
    setPass(""), setPass2("");
    await qc.invalidateQueries({ queryKey: ["onchain-project"] });
    await qc.invalidateQueries({ queryKey: ["key-held"] });
    return { ...r, publicKey: made.publicKey };
  });
  const [file, setFile] = useState<File>();
  const [importPass, setImportPass] = useState("");
  const restore = useAction(async () => {
    if (!file) throw new InvalidInputError("file", "Choose the backup file.");
    const r = await importProjectKey(orgKeyStore(), await file.text(), importPass, { chainId: network.chainId, projectId });
    setImportPass("");
    await qc.invalidateQueries({ queryKey: ["key-held"] });
    return r;
  });
  const set = publicKey && !/^0x0*$/.test(publicKey);
  return (
    <Card title={LABEL[kind]} id={`${kind}-key`}>
      <p className="note">{WHY[kind]}</p>
      <p data-testid={`${kind}-key-state`}>
        {set ? (
          <>
            On-chain: v{version} <code>{shortHex(publicKey!)}</code>.{" "}
            {held.data ? "This browser holds its private half." : "This browser does not hold its private half."}
          </>
        ) : (
          "Not set yet."
        )}
      </p>
      <form onSubmit={(e) => (e.preventDefault(), generate.run())}>
        <label htmlFor={`${kind}-pass`}>Backup passphrase (at least {MIN_PASSPHRASE} characters)</label>
        <input id={`${kind}-pass`} type="password" autoComplete="new-password" value={pass} onChange={(e) => setPass(e.target.value)} />
        <label htmlFor={`${kind}-pass2`}>Repeat the passphrase</label>
        <input id={`${kind}-pass2`} type="password" autoComplete="new-password" value={pass2} onChange={(e) => setPass2(e.target.value)} />
        <div>
          <button type="submit" disabled={!org || generate.pending}>
            {set ? `Rotate ${LABEL[kind].toLowerCase()}` : `Generate ${LABEL[kind].toLowerCase()}`}
          </button>
        </div>
        <p className="note">Generates an X25519 key in this browser, downloads its encrypted backup, then registers only the public key on-chain.</p>
      </form>
      {generate.pending && <Status>Generating and registering…</Status>}
      {generate.result && (
        <Status>
          Registered {LABEL[kind].toLowerCase()} {shortHex(generate.result.publicKey)}. Keep the backup file and its passphrase apart.
        </Status>
      )}
      <Problem error={generate.error} />
      <form onSubmit={(e) => (e.preventDefault(), restore.run())}>
        <label htmlFor={`${kind}-import-file`}>Import a backup into this browser</label>
        <input id={`${kind}-import-file`} type="file" accept="application/json,.json" onChange={(e) => setFile(e.target.files?.[0])} />
        <label htmlFor={`${kind}-import-pass`}>Its passphrase</label>
        <input id={`${kind}-import-pass`} type="password" autoComplete="off" value={importPass} onChange={(e) => setImportPass(e.target.value)} />
        <div>
          <button type="submit" className="secondary" disabled={restore.pending}>
            Import backup
          </button>
        </div>
      </form>
      {restore.result && (
        <Status>
          Imported {restore.result.kind} key {shortHex(restore.result.publicKey)}.
        </Status>
      )}
      <Problem error={restore.error} />
    </Card>
  );
}

export function Keys() {
  return (
    <>
      <KeyCard kind="review" />
      <KeyCard kind="escrow" />
    </>
  );
}
