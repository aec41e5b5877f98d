// The bytes a Lit-mode grant carries in `wrappedKey`: everything needed to rebuild the exact
// conditions and ask the right Lit network, plus Lit's ciphertext.
//
//   "OKLT" | format u8 (1) | network len u8 | network (utf-8, e.g. "datil")
//   | chain len u8 | chain (Lit chain name, e.g. "baseSepolia") | recordRegistry (20)
//   | project flag u8 (0|1) [| projectId u256be] | dataToEncryptHash (32) | Lit ciphertext (rest)
//
// The network is recorded because a Lit ciphertext opens only on the network whose key
// encrypted it; when a network is retired, the owner re-seals under the next one (rewrapKeys).
import { getAddress, type Address } from "viem";
import { MalformedWrappedKeyError } from "../crypto/errors.ts";

const MAGIC = Buffer.from("OKLT");
export const LIT_BLOB_FORMAT = 1;

export interface LitBlob {
  network: string;
  chain: string;
  recordRegistry: Address;
  projectId?: bigint;
  /** sha256 of the sealed keys, hex without 0x (Lit's `dataToEncryptHash`). */
  dataToEncryptHash: string;
  /** Lit's ciphertext, raw bytes (the client speaks base64). */
  ciphertext: Uint8Array;
}

function shortString(s: string, what: string): Buffer {
  const b = Buffer.from(s, "utf8");
  if (b.length === 0 || b.length > 255) throw new MalformedWrappedKeyError(`${what} must be 1-255 bytes`);
  return Buffer.concat([Buffer.from([b.length]), b]);
}

export function encodeLitBlob(b: LitBlob): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(b.dataToEncryptHash)) throw new MalformedWrappedKeyError("dataToEncryptHash must be 32 bytes hex");
  const project =
    b.projectId === undefined ? Buffer.from([0]) : Buffer.concat([Buffer.from([1]), Buffer.from(b.projectId.toString(16).padStart(64, "0"), "hex")]);
  return new Uint8Array(
    Buffer.concat([
      MAGIC,
      Buffer.from([LIT_BLOB_FORMAT]),
      shortString(b.network, "network"),
      shortString(b.chain, "chain"),
      Buffer.from(b.recordRegistry.slice(2), "hex"),
      project,
      Buffer.from(b.dataToEncryptHash, "hex"),
      b.ciphertext,
    ]),
  );
}

export function parseLitBlob(bytes: Uint8Array): LitBlob {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const take = (n: number): Buffer => {
    if (at + n > buf.length) throw new MalformedWrappedKeyError("Lit key-release blob is truncated");
    const out = buf.subarray(at, at + n);
    at += n;
    return out;
  };
  if (!take(4).equals(MAGIC)) throw new MalformedWrappedKeyError("not a Lit key-release blob (no OKLT header)");
  const format = take(1)[0];
  if (format !== LIT_BLOB_FORMAT) throw new MalformedWrappedKeyError(`unknown Lit key-release blob format ${format}`);
  const network = take(take(1)[0]).toString("utf8");
  const chain = take(take(1)[0]).toString("utf8");
  const recordRegistry = getAddress(`0x${take(20).toString("hex")}`);
  const flag = take(1)[0];
  if (flag > 1) throw new MalformedWrappedKeyError("bad project flag in Lit key-release blob");
  const projectId = flag === 1 ? BigInt(`0x${take(32).toString("hex")}`) : undefined;
  const dataToEncryptHash = take(32).toString("hex");
  const ciphertext = new Uint8Array(buf.subarray(at));
  if (ciphertext.length === 0) throw new MalformedWrappedKeyError("Lit key-release blob has no ciphertext");
  return { network, chain, recordRegistry, projectId, dataToEncryptHash, ciphertext };
}
