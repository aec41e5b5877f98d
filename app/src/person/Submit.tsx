// Submit a KYC record: the form's fields and document files are encrypted here, in the browser,
// uploaded as one ciphertext bundle with a real progress bar, then registered on-chain by the
// sponsored smart account. A failure keeps everything typed, chosen and already uploaded: a retry
// picks up at the step that failed (an uploaded bundle is never uploaded twice).
import { useEffect, useRef, useState, type FormEvent } from "react";
import { toHex, type Hex } from "viem";
import { encryptRecord, KeyReleaseModes, type EncryptedRecord } from "@onekey/sdk/crypto";
import { computeRecordId, registerRecord } from "@onekey/sdk/contracts";
import { recordDek } from "@onekey/sdk/keys";
import { useQueryClient } from "@tanstack/react-query";
import { useOneKey } from "../shell/OneKey.tsx";
import { ErrorView } from "../shell/Layout.tsx";
import {
  buildRecordFields,
  DOCUMENT_MIME_TYPES,
  DOCUMENT_TYPE_LABELS,
  DOCUMENT_TYPES,
  type DocumentFile,
  type DocumentMimeType,
  fieldLabel,
  InvalidFieldValueError,
  MAX_DOCUMENT_BYTES,
  packFile,
  TEXT_FIELDS,
  type TextField,
} from "@onekey/sdk/schema";
import { COUNTRIES } from "./fields.ts";

// The three document inputs: the schema's two sides, then any number of further documents.
type Slot = "front" | "back" | "extra";
const SLOTS: { slot: Slot; label: string; multiple: boolean }[] = [
  { slot: "front", label: fieldLabel("document_front"), multiple: false },
  { slot: "back", label: `${fieldLabel("document_back")} (if it has one)`, multiple: false },
  { slot: "extra", label: "Further documents (optional)", multiple: true },
];

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
  const [files, setFiles] = useState<Record<Slot, DocumentFile[]>>({ front: [], back: [], extra: [] });
  const [fileError, setFileError] = useState<string>();
  const fileCount = files.front.length + files.back.length + files.extra.length;
  const [stage, setStage] = useState<Stage>("idle");
  const [sent, setSent] = useState<{ sent: number; total: number }>();
  const [error, setError] = useState<unknown>();
  const [submitted, setSubmitted] = useState<Hex>();
  const progress = useRef<Progress | undefined>(undefined);
  // Remounts the file input after a submission (a file input's value cannot be set from React).
  const [formKey, setFormKey] = useState(0);
  // The tab's upload key (an RSA-4096 Arweave wallet takes a second or two to generate; on Irys a
  // key and the sponsor's approval) is made while the person fills the form, not after they press
  // submit. Once per mount: a failure is not retried here but at submit, where it is shown.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per mount, on purpose (see above)
  useEffect(() => {
    storage().catch(() => {});
  }, []);

  const onFiles = async (slot: Slot, list: FileList | null) => {
    setFileError(undefined);
    const chosen: DocumentFile[] = [];
    for (const f of Array.from(list ?? [])) {
      if (f.size > MAX_DOCUMENT_BYTES) return setFileError(`"${f.name}" is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB.`);
      const doc = { name: f.name, type: f.type as DocumentMimeType, bytes: new Uint8Array(await f.arrayBuffer()) };
      try {
        packFile(doc); // the SDK's check: a type a provider takes, and bytes that are that type
      } catch {
        return setFileError(`"${f.name}" is not a JPEG, PNG or PDF file.`);
      }
      chosen.push(doc);
    }
    progress.current = undefined;
    setFiles((s) => ({ ...s, [slot]: chosen }));
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
        const fields = buildRecordFields({ text: values, front: files.front[0], back: files.back[0], extra: files.extra });
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
      setFiles({ front: [], back: [], extra: [] });
      setFormKey((k) => k + 1);
      void queryClient.invalidateQueries({ queryKey: ["indexer"] });
    } catch (e) {
      setError(e);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const any = TEXT_FIELDS.some((f) => values[f.name]?.trim()) || fileCount > 0;
    if (!any) return setError(new Error("empty"));
    // The schema's formats, checked before anything is encrypted (the same check buildRecordFields makes).
    try {
      buildRecordFields({ text: values });
    } catch (e) {
      return setError(e);
    }
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
        <p className="note">An identity check needs every field except the home address and the back of the document.</p>
        {TEXT_FIELDS.map((f) => (
          <div key={f.name}>
            <label htmlFor={`f-${f.name}`}>{f.label}</label>
            <FieldInput field={f} value={values[f.name] ?? ""} disabled={busy} onChange={(v) => edit(f.name, v)} />
          </div>
        ))}
        {SLOTS.map((s) => (
          <div key={s.slot}>
            <label htmlFor={`f-${s.slot}`}>{s.label}</label>
            <input
              key={formKey}
              id={`f-${s.slot}`}
              type="file"
              multiple={s.multiple}
              accept={DOCUMENT_MIME_TYPES.join(",")}
              disabled={busy}
              onChange={(e) => void onFiles(s.slot, e.target.files)}
            />
          </div>
        ))}
        {fileCount > 0 && (
          <p className="note" aria-live="polite">
            {fileCount} document{fileCount > 1 ? "s" : ""} chosen (
            {Math.round([...files.front, ...files.back, ...files.extra].reduce((n, f) => n + f.bytes.length, 0) / 1024)} KiB).
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
        ) : error instanceof InvalidFieldValueError ? (
          <p role="alert" className="error">
            {fieldLabel(error.field)}: {FORMAT_HINT[TEXT_FIELDS.find((f) => f.name === error.field)?.format ?? "text"]}
          </p>
        ) : (
          <ErrorView error={error} onRetry={() => void run()} />
        ))}
    </section>
  );
}

const FORMAT_HINT: Record<TextField["format"], string> = {
  text: "write it in at most 200 characters.",
  date: "choose a real calendar date.",
  country: "choose a country from the list.",
  document_type: "choose a type from the list.",
};

/** One schema text field as the input its format wants: a date picker, a country or type list, or text. */
function FieldInput({ field, value, disabled, onChange }: { field: TextField; value: string; disabled: boolean; onChange(v: string): void }) {
  const common = { id: `f-${field.name}`, name: field.name, value, disabled };
  if (field.format === "date") return <input {...common} type="date" autoComplete={field.autoComplete} onChange={(e) => onChange(e.target.value)} />;
  if (field.format === "country" || field.format === "document_type") {
    const options =
      field.format === "country"
        ? COUNTRIES.map((c) => ({ value: c.code, label: c.label }))
        : DOCUMENT_TYPES.map((t) => ({ value: t, label: DOCUMENT_TYPE_LABELS[t] }));
    return (
      <select {...common} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose...</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  }
  return <input {...common} type="text" autoComplete={field.autoComplete} onChange={(e) => onChange(e.target.value)} />;
}
