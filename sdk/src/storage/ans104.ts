// ANS-104 data items signed with an EVM key (signature type 3, "ethereum"), built on WebCrypto
// and viem only, so they can be made in a browser tab. @irys/bundles (and @irys/web-upload, which
// is built on it) cannot be bundled for a browser without Node polyfills: its web build imports
// `crypto` and `stream` (docs/decisions.md). The layout and the signature follow ANS-104
// (https://github.com/ArweaveTeam/arweave-standards/blob/master/ans/ANS-104.md) as @irys/bundles
// implements it; src/storage/irys-web.browser.test.ts checks items made in Chromium with
// @irys/bundles' own DataItem.verify, id and tag parser, and the devstack bundler verifies with it.
import { type Hex, hexToBytes, type LocalAccount, recoverPublicKey, hashMessage, bytesToHex } from "viem";
import { InvalidUploadInputError } from "./errors.ts";
import type { StorageTag } from "./types.ts";

/** Signature type 3: an EVM key signing the deep hash as an EIP-191 personal message. */
const SIGNATURE_TYPE_ETHEREUM = 3;
const SIGNATURE_LENGTH = 65;
const OWNER_LENGTH = 65; // uncompressed secp256k1 public key
const MAX_TAGS = 128;
const MAX_TAG_BYTES = 4096;

/**
 * What signs data items: a viem account (`privateKeyToAccount`, or a JSON-RPC / EIP-1193 wallet
 * account with `signMessage`). Without `publicKey` (wallet accounts), the key is recovered once
 * from a signature of a fixed message, as Irys' own injected signer does.
 */
export type DataItemSigner = Pick<LocalAccount, "address" | "signMessage"> & { publicKey?: Hex };

export interface SignedDataItem {
  /** The whole signed item, as a bundler receives it. */
  raw: Uint8Array;
  /** sha256 of the signature: the item's id. */
  id: Uint8Array;
  /** The signer's address (who pays, unless the upload names another payer). */
  owner: Hex;
}

const encoder = new TextEncoder();

/** Signs `data` with `tags` as an ANS-104 data item (no target, no anchor). */
export async function createSignedDataItem(data: Uint8Array, tags: StorageTag[], signer: DataItemSigner): Promise<SignedDataItem> {
  const owner = await publicKeyOf(signer);
  const rawTags = serializeTags(tags);
  const message = await deepHash([
    encoder.encode("dataitem"),
    encoder.encode("1"),
    encoder.encode(String(SIGNATURE_TYPE_ETHEREUM)),
    owner,
    new Uint8Array(0), // target
    new Uint8Array(0), // anchor
    rawTags,
    data,
  ]);
  const signature = hexToBytes(await signer.signMessage({ message: { raw: message } }));
  if (signature.length !== SIGNATURE_LENGTH) throw new InvalidUploadInputError(`the signer returned ${signature.length} signature bytes, not 65`);
  const head = 2 + SIGNATURE_LENGTH + OWNER_LENGTH + 1 + 1 + 16;
  const raw = new Uint8Array(head + rawTags.length + data.length);
  raw[0] = SIGNATURE_TYPE_ETHEREUM & 0xff;
  raw[1] = SIGNATURE_TYPE_ETHEREUM >> 8;
  raw.set(signature, 2);
  raw.set(owner, 2 + SIGNATURE_LENGTH);
  let at = 2 + SIGNATURE_LENGTH + OWNER_LENGTH;
  raw[at++] = 0; // no target
  raw[at++] = 0; // no anchor
  raw.set(u64le(tags.length), at);
  raw.set(u64le(rawTags.length), at + 8);
  raw.set(rawTags, head);
  raw.set(data, head + rawTags.length);
  const id = new Uint8Array(await crypto.subtle.digest("SHA-256", signature as Uint8Array<ArrayBuffer>));
  return { raw, id, owner: signer.address };
}

const recovered = new WeakMap<object, Promise<Uint8Array>>();

async function publicKeyOf(signer: DataItemSigner): Promise<Uint8Array> {
  if (signer.publicKey) return checkOwner(hexToBytes(signer.publicKey));
  let key = recovered.get(signer);
  if (!key) {
    key = (async () => {
      const message = "OneKey: recover the public key that signs storage uploads";
      const signature = await signer.signMessage({ message });
      return checkOwner(hexToBytes(await recoverPublicKey({ hash: hashMessage(message), signature })));
    })();
    recovered.set(signer, key);
    key.catch(() => recovered.delete(signer));
  }
  return key;
}

function checkOwner(key: Uint8Array): Uint8Array {
  if (key.length !== OWNER_LENGTH || key[0] !== 4)
    throw new InvalidUploadInputError(`the signer's public key is not 65 uncompressed bytes (${bytesToHex(key.subarray(0, 4))}…)`);
  return key;
}

/** Arweave's deep hash (SHA-384 over tagged blobs and lists), the message a data item signs. */
async function deepHash(data: Uint8Array | Uint8Array[]): Promise<Uint8Array> {
  if (Array.isArray(data)) {
    let acc = await sha384(concatBytes(encoder.encode("list"), encoder.encode(String(data.length))));
    for (const chunk of data) acc = await sha384(concatBytes(acc, await deepHash(chunk)));
    return acc;
  }
  const tag = await sha384(concatBytes(encoder.encode("blob"), encoder.encode(String(data.byteLength))));
  return sha384(concatBytes(tag, await sha384(data)));
}

const sha384 = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-384", data as Uint8Array<ArrayBuffer>));

/** Tags as ANS-104 writes them: an Avro array of { name: bytes, value: bytes } (zig-zag varints). */
function serializeTags(tags: StorageTag[]): Uint8Array {
  if (tags.length === 0) return new Uint8Array(0);
  if (tags.length > MAX_TAGS) throw new InvalidUploadInputError(`more than ${MAX_TAGS} tags`);
  const parts: number[] = [];
  const long = (n: number) => {
    let m = n * 2; // zig-zag for n >= 0
    do {
      let byte = m % 128;
      m = Math.floor(m / 128);
      if (m) byte |= 0x80;
      parts.push(byte);
    } while (m);
  };
  const bytes = (s: string) => {
    const b = encoder.encode(s);
    long(b.length);
    for (const x of b) parts.push(x);
  };
  long(tags.length);
  for (const t of tags) {
    if (!t.name || t.name.length > 1024 || t.value.length > 3072) throw new InvalidUploadInputError(`tag "${t.name.slice(0, 40)}" is empty or too long`);
    bytes(t.name);
    bytes(t.value);
  }
  long(0);
  if (parts.length > MAX_TAG_BYTES) throw new InvalidUploadInputError(`tags take ${parts.length} bytes, over ${MAX_TAG_BYTES}`);
  return Uint8Array.from(parts);
}

function u64le(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
