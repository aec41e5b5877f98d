// The one door to the runtime's WebCrypto (globalThis.crypto): browsers and Node >= 20 alike.
import { BaseError } from "../errors.ts";

/** The runtime has no WebCrypto (`crypto.subtle` is only defined in secure contexts: https or localhost). */
export class WebCryptoUnavailableError extends BaseError {
  override name = "WebCryptoUnavailableError";
  constructor() {
    super("This runtime has no WebCrypto (globalThis.crypto.subtle).", {
      details: "Browsers expose it only to secure contexts (https:// or http://localhost / 127.0.0.1); Node needs version 20 or later.",
      docsPath: "sdk.md#runtimes",
    });
  }
}

export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new WebCryptoUnavailableError();
  return s;
}

export function randomBytes(n: number): Uint8Array {
  const c = globalThis.crypto;
  if (!c?.getRandomValues) throw new WebCryptoUnavailableError();
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < n; i += 65_536) c.getRandomValues(out.subarray(i, Math.min(n, i + 65_536)));
  return out;
}

/** WebCrypto's BufferSource typing wants an ArrayBuffer-backed view; ours always are. */
export const bs = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>;
