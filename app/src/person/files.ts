// Document files inside a record. A field name is visible in the bundle's manifest, so it stays
// generic ("document_1"); the file's own name and type, which can be personal, travel encrypted
// inside the value: 4-byte header length | header JSON | file bytes.
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const ACCEPTED_TYPES = ["image/png", "image/jpeg", "image/webp", "application/pdf"];

export interface DocumentFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

export function packFile(f: DocumentFile): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ name: f.name, type: f.type }));
  const out = new Uint8Array(4 + header.length + f.bytes.length);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, 4);
  out.set(f.bytes, 4 + header.length);
  return out;
}

export function unpackFile(value: Uint8Array): DocumentFile {
  if (value.length < 4) throw new Error("not a packed document");
  const n = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
  if (4 + n > value.length) throw new Error("not a packed document");
  const header = JSON.parse(new TextDecoder().decode(value.subarray(4, 4 + n))) as { name: string; type: string };
  return { name: String(header.name), type: String(header.type), bytes: value.subarray(4 + n) };
}

/** The manifest names of document fields, in order. */
export const documentField = (i: number) => `document_${i + 1}`;
export const isDocumentField = (name: string) => /^document_\d+$/.test(name);
