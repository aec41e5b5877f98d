// Small pieces every console screen uses: an action runner (pending / error / done, so a button
// cannot double-send and an error shows in plain words), the error box, and formatting.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { formatEther } from "viem";
import { toPlainError } from "../shell/errors.ts";
import { IndexerApiError, plainWords, ReviewServiceError } from "./lib/errors.ts";
import { BaseError } from "@onekey/sdk/errors";
import type { FieldValue } from "@onekey/sdk/crypto";
import { displayValue } from "./lib/reviews.ts";

export function useAction<A extends unknown[], T>(fn: (...args: A) => Promise<T>) {
  const [state, setState] = useState<{ pending: boolean; error?: unknown; result?: T }>({ pending: false });
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      setState((s) => ({ ...s, pending: true, error: undefined }));
      try {
        const result = await fn(...args);
        setState({ pending: false, result });
        return result;
      } catch (error) {
        setState({ pending: false, error });
        return undefined;
      }
    },
    [fn],
  );
  return { ...state, run, reset: () => setState({ pending: false }) };
}

/** An error in plain words; the console's own (indexer refusals, bad input) first, then the shell's mapping. */
export function Problem({ error }: { error: unknown }) {
  const [open, setOpen] = useState(false);
  if (!error) return null;
  const mine =
    error instanceof IndexerApiError ||
    error instanceof ReviewServiceError ||
    (error instanceof BaseError && ["InvalidInputError", "KeyBackupError", "ReviewKeyMissingError"].includes(error.name));
  const shell = toPlainError(error);
  const title = mine ? plainWords(error).message : shell.title;
  const hint = mine ? undefined : shell.hint;
  const detail = mine ? plainWords(error).detail : shell.detail;
  return (
    <div role="alert" className="error">
      <strong>{title}</strong>
      {hint && <p>{hint}</p>}
      {detail && (
        <>
          <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            Details
          </button>
          {open && <pre className="detail">{detail}</pre>}
        </>
      )}
    </div>
  );
}

export function Card({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const hid = `h-${(id ?? title).replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <section className="card" aria-labelledby={hid}>
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}

export const eth = (wei: bigint | string) => `${formatEther(BigInt(wei))} ETH`;
export const when = (unixSeconds: bigint | string | number) => new Date(Number(unixSeconds) * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
export const shortHex = (h: string, n = 10) => (h.length > n * 2 ? `${h.slice(0, n)}…${h.slice(-6)}` : h);

export function Status({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="note">
      {children}
    </p>
  );
}

/** A decrypted document, shown from a blob URL that lives as long as the component. */
export function FileValue({ name, bytes, type, fileName }: { name: string; bytes: Uint8Array; type: string; fileName?: string }) {
  const url = useMemo(() => URL.createObjectURL(new Blob([bytes as BlobPart], { type })), [bytes, type]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return type.startsWith("image/") ? (
    <img src={url} alt={fileName ? `${name}: ${fileName}` : name} style={{ maxWidth: 320 }} />
  ) : (
    <a href={url} download={fileName ?? `${name}${type === "application/pdf" ? ".pdf" : ""}`}>
      Open {fileName ?? name} ({bytes.length} bytes)
    </a>
  );
}

/** The fields a grant disclosed, decrypted in this browser: the schema's labels, documents unpacked. */
export function GrantedFields({ fields }: { fields: Record<string, FieldValue> }) {
  return (
    <dl aria-label="Granted fields">
      {Object.entries(fields).map(([name, v]) => {
        const d = displayValue(name, v);
        return (
          <div key={name}>
            <dt>{d.label}</dt>
            <dd>{d.kind === "text" ? d.text : <FileValue name={d.label} bytes={d.bytes} type={d.type} fileName={d.fileName} />}</dd>
          </div>
        );
      })}
    </dl>
  );
}
