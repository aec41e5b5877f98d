// My records: each opened on this device with the wallet-derived DEK (so a second browser with the
// same wallet sees the same), with grant, rotate and erase.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { rotateRecordKeys } from "@onekey/sdk/flows";
import { eraseRecord } from "@onekey/sdk/contracts";
import { recordDek } from "@onekey/sdk/keys";
import { useOneKey } from "../shell/OneKey.tsx";
import { ErrorView } from "../shell/Layout.tsx";
import { useMyRecords, useOpenedRecord, type RecordRow } from "./data.ts";
import { fieldLabel, isDocumentField, unpackFile } from "@onekey/sdk/schema";
import { GrantForm } from "./GrantForm.tsx";

export function Records() {
  const { keys, unlockKeys } = useOneKey();
  const records = useMyRecords();
  const [unlockError, setUnlockError] = useState<unknown>();
  const rows = records.data?.records.items ?? [];
  return (
    <section className="card" aria-labelledby="records-h">
      <h2 id="records-h">My records</h2>
      {records.error && <ErrorView error={records.error} onRetry={() => void records.refetch()} />}
      {!keys && rows.length > 0 && (
        <p>
          <button type="button" onClick={() => unlockKeys().catch(setUnlockError)}>
            Unlock my records
          </button>
          <span className="note"> Your wallet signs a message (no transaction) from which this device derives your keys.</span>
        </p>
      )}
      {unlockError !== undefined && <ErrorView error={unlockError} onRetry={() => unlockKeys().then(() => setUnlockError(undefined), setUnlockError)} />}
      {records.isSuccess && rows.length === 0 && <p>No records yet.</p>}
      <ul className="records">
        {rows.map((r) => (
          <RecordItem key={r.id} record={r} />
        ))}
      </ul>
    </section>
  );
}

function RecordItem({ record }: { record: RecordRow }) {
  const { keys, getAccount, storage, network } = useOneKey();
  const opened = useOpenedRecord(record);
  const queryClient = useQueryClient();
  const [action, setAction] = useState<"grant" | "erase" | undefined>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [understood, setUnderstood] = useState(false);
  const label = `Record ${record.id.slice(0, 10)}`;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["indexer"] });

  const rotate = async () => {
    setError(undefined);
    setBusy("Rotating keys...");
    try {
      const account = await getAccount();
      await rotateRecordKeys(account.client, {
        ...account.on,
        // The record's grants are found in the chain's logs from the registries' deployment on.
        fromBlock: network.fromBlock,
        recordId: record.id,
        dek: await recordDek(keys!.ownerSecret, record.id, record.version),
        storage: await storage(),
        newDek: await recordDek(keys!.ownerSecret, record.id, record.version + 1),
      });
      await refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };
  const erase = async () => {
    setError(undefined);
    setBusy("Erasing...");
    try {
      const a = await getAccount();
      await eraseRecord(a.client, { ...a.on, recordId: record.id });
      setAction(undefined);
      await refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <li className="record" aria-label={label}>
      <h3>
        {label}...{" "}
        <span className="note">
          version {record.version}
          {record.erased ? " · erased" : ""}
        </span>
      </h3>
      {record.erased && <p>This record is erased: no one can be granted it or receive its keys again.</p>}
      {opened.isLoading && <p aria-busy="true">Opening on this device...</p>}
      {opened.error && <ErrorView error={opened.error} onRetry={() => void opened.refetch()} />}
      {opened.data && (
        <dl className="fields">
          {opened.data.manifest.fields.map((f) => {
            const v = opened.data.fields[f.name];
            const shown = isDocumentField(f.name) && v instanceof Uint8Array ? documentText(v) : String(v);
            return (
              <div key={f.name}>
                <dt>{fieldLabel(f.name)}</dt>
                <dd>{shown}</dd>
              </div>
            );
          })}
        </dl>
      )}
      {!record.erased && keys && (
        // biome-ignore lint/a11y/useSemanticElements: a row of buttons; a fieldset would need a legend and change the layout
        <div role="group" aria-label={`Actions for ${label}`}>
          <button type="button" onClick={() => setAction(action === "grant" ? undefined : "grant")} disabled={!opened.data || !!busy}>
            Grant a project...
          </button>
          <button type="button" className="secondary" onClick={() => void rotate()} disabled={!!busy}>
            Rotate keys
          </button>
          <button type="button" className="danger" onClick={() => setAction(action === "erase" ? undefined : "erase")} disabled={!!busy}>
            Erase...
          </button>
        </div>
      )}
      {busy && <p aria-live="polite">{busy}</p>}
      {error !== undefined && <ErrorView error={error} onRetry={() => setError(undefined)} />}
      {action === "grant" && opened.data && <GrantForm record={record} manifest={opened.data.manifest} onDone={() => setAction(undefined)} />}
      {action === "erase" && (
        <div role="dialog" aria-modal="false" aria-labelledby={`erase-h-${record.id}`} className="confirm">
          <h4 id={`erase-h-${record.id}`}>Erase this record?</h4>
          <ul>
            <li>The chain marks it erased: no project can be granted it again, and no key is released for it afterwards.</li>
            <li>Every grant stops working at once; the encrypted copy stays in storage but cannot be opened through OneKey.</li>
            <li>It cannot be undone. A project that already opened the record may have kept what it read: erasure cannot take that back.</li>
            <li>Attestations a project made about you stay until that project revokes them.</li>
          </ul>
          <label>
            <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} /> I understand that erasing cannot be undone
          </label>
          <button type="button" className="danger" disabled={!understood || !!busy} onClick={() => void erase()}>
            Erase for good
          </button>
          <button type="button" className="secondary" onClick={() => setAction(undefined)}>
            Cancel
          </button>
        </div>
      )}
    </li>
  );
}

/** A document field as the person reads it: the file's own name and size, or why it cannot be shown. */
function documentText(v: Uint8Array): string {
  try {
    const d = unpackFile(v);
    return `${d.name} (${Math.round(d.bytes.length / 1024)} KiB)`;
  } catch {
    return `an unreadable document (${Math.round(v.length / 1024)} KiB)`;
  }
}
