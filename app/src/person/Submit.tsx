// Submit a KYC record: the form's fields and document files are encrypted here, in the browser,
// uploaded as one ciphertext bundle with a real progress bar, then registered on-chain by the
// sponsored smart account. A failure keeps everything typed, chosen and already uploaded: a retry
// picks up at the step that failed (an uploaded bundle is never uploaded twice).
import { useRef, useState, type FormEvent } from "react";
import { toHex, type Hex } from "viem";
import { encryptRecord, KeyReleaseModes, type EncryptedRecord } from "@onekey/sdk/crypto";
import { computeRecordId, registerRecord } from "@onekey/sdk/contracts";
import { recordDek } from "@onekey/sdk/keys";
import { useQueryClient } from "@tanstack/react-query";
import { useOneKey } from "../shell/OneKey.tsx";
import { ErrorView } from "../shell/Layout.tsx";
import { ACCEPTED_TYPES, documentField, MAX_FILE_BYTES, packFile, type DocumentFile } from "./files.ts";
import { TEXT_FIELDS } from "./fields.ts";

type Stage = "idle" | "encrypting" | "uploading" | "registering" | "done";
/** Work already done for this submission, kept across retries. */
interface Progress {
  salt: Hex;
  recordId: Hex;
  enc?: EncryptedRecord;
  storageId?: Hex;
  registered?: boolean;
}

const STAGE_TEXT: Record<Stage, string> = {
  idle: "",
  encrypting: "Encrypting on this device...",
  uploading: "Uploading the encrypted bundle...",
  registering: "Registering on-chain (sponsored)...",
  done: "Submitted.",
};

export function Submit() {
  const { getAccount, unlockKeys, storage } = useOneKey();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<string, string>>({});
  const [files, setFiles] = useState<DocumentFile[]>([]);
  const [fileError, setFileError] = useState<string>();
  const [stage, setStage] = useState<Stage>("idle");
  const [sent, setSent] = useState<{ sent: number; total: number }>();
  const [error, setError] = useState<unknown>();
  const [submitted, setSubmitted] = useState<Hex>();
  const progress = useRef<Progress | undefined>(undefined);
  // Remounts the file input after a submission (a file input's value cannot be set from React).
  const [formKey, setFormKey] = useState(0);

  const onFiles = async (list: FileList | null) => {
    setFileError(undefined);
    const chosen: DocumentFile[] = [];
    for (const f of Array.from(list ?? [])) {
      if (!ACCEPTED_TYPES.includes(f.type)) return setFileError(`"${f.name}" is not an image or a PDF.`);
      if (f.size > MAX_FILE_BYTES) return setFileError(`"${f.name}" is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
      chosen.push({ name: f.name, type: f.type, bytes: new Uint8Array(await f.arrayBuffer()) });
    }
    progress.current = undefined;
    setFiles(chosen);
  };

  const run = async () => {
    setError(undefined);
    try {
      const [account, keys] = await Promise.all([getAccount(), unlockKeys()]);
      const p: Progress = (progress.current ??= ((): Progress => {
        const salt = toHex(crypto.getRandomValues(new Uint8Array(32)));
        return { salt, recordId: computeRecordId(account.address, salt) };
      })());
      if (!p.enc) {
        setStage("encrypting");
        const fields: Record<string, string | Uint8Array> = {};
        for (const f of TEXT_FIELDS) if (values[f.name]?.trim()) fields[f.name] = values[f.name].trim();
        for (const [i, f] of files.entries()) fields[documentField(i)] = packFile(f);
        p.enc = await encryptRecord({
          recordId: p.recordId,
          version: 1,
          fields,
          keyRelease: "envelope",
          dek: await recordDek(keys.ownerSecret, p.recordId, 1),
        });
      }
      if (!p.storageId) {
        setStage("uploading");
        setSent({ sent: 0, total: p.enc.bundle.length });
        const up = await (await storage()).upload(
          p.enc.bundle,
          [
            { name: "App-Name", value: "OneKey" },
            { name: "OneKey-Scheme", value: "1" },
          ],
          {
            onProgress: (s, total) => setSent({ sent: s, total }),
          },
        );
        p.storageId = up.storageId;
      }
      if (!p.registered) {
        setStage("registering");
        await registerRecord(account.client, {
          ...account.on,
          salt: p.salt,
          storageId: p.storageId,
          contentHash: p.enc.contentHash,
          manifestHash: p.enc.manifestHash,
          scheme: p.enc.manifest.scheme,
          keyRelease: KeyReleaseModes.envelope,
        });
        p.registered = true;
      }
      setStage("done");
      setSubmitted(p.recordId);
      progress.current = undefined;
      setValues({});
      setFiles([]);
      setFormKey((k) => k + 1);
      void queryClient.invalidateQueries({ queryKey: ["indexer"] });
    } catch (e) {
      setError(e);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const any = TEXT_FIELDS.some((f) => values[f.name]?.trim()) || files.length > 0;
    if (!any) return setError(new Error("empty"));
    void run();
  };
  const busy = stage !== "idle" && stage !== "done" && !error;
  const edit = (name: string, v: string) => {
    // Changing what was typed starts the submission over (the old bundle is simply not used).
    progress.current = undefined;
    setValues((s) => ({ ...s, [name]: v }));
  };

  return (
    <section className="card" aria-labelledby="submit-h">
      <h2 id="submit-h">Submit my identity record</h2>
      <p className="note">
        Everything below is encrypted in this browser before it leaves it. Only ciphertext is stored; the chain holds a pointer and a hash.
      </p>
      <form onSubmit={submit} aria-describedby="submit-h">
        {TEXT_FIELDS.map((f) => (
          <div key={f.name}>
            <label htmlFor={`f-${f.name}`}>{f.label}</label>
            <input
              id={`f-${f.name}`}
              name={f.name}
              type="text"
              autoComplete={f.autoComplete}
              value={values[f.name] ?? ""}
              disabled={busy}
              onChange={(e) => edit(f.name, e.target.value)}
            />
          </div>
        ))}
        <label htmlFor="f-documents">Identity documents (images or PDF)</label>
        <input
          key={formKey}
          id="f-documents"
          type="file"
          multiple
          accept={ACCEPTED_TYPES.join(",")}
          disabled={busy}
          onChange={(e) => void onFiles(e.target.files)}
        />
        {files.length > 0 && (
          <p className="note" aria-live="polite">
            {files.length} document{files.length > 1 ? "s" : ""} chosen ({Math.round(files.reduce((n, f) => n + f.bytes.length, 0) / 1024)} KiB).
          </p>
        )}
        {fileError && (
          <p role="alert" className="error">
            {fileError}
          </p>
        )}
        <div>
          <button type="submit" disabled={busy}>
            {busy ? "Submitting..." : error ? "Try again" : "Encrypt and submit"}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {busy && <p>{STAGE_TEXT[stage]}</p>}
        {sent && stage === "uploading" && (
          <p>
            <progress aria-label="Upload progress" value={sent.sent} max={sent.total} /> {Math.floor((100 * sent.sent) / Math.max(1, sent.total))}%
          </p>
        )}
        {stage === "done" && submitted && (
          <p role="status">
            Submitted. Your record <code>{submitted.slice(0, 10)}...</code> is registered; it appears below once indexed.
          </p>
        )}
      </div>
      {error !== undefined &&
        ((error as Error).message === "empty" ? (
          <p role="alert" className="error">
            Fill in at least one field or choose a document.
          </p>
        ) : (
          <ErrorView error={error} onRetry={() => void run()} />
        ))}
    </section>
  );
}
