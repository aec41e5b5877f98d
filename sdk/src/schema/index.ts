// The one KYC record schema: the field names a person's device writes and a reviewer (the review
// service, a KYC provider behind it) reads, which are text and which are documents, the values a
// field may hold and how a document file is packed. The person's page and the review service both
// import it, so the two can never disagree on a name again.
//
// A field name travels in the bundle's manifest, which any holder of the ciphertext can read, so
// names are generic schema words ("first_name", "document_front"), never anything personal. What
// can be personal (a file's own name) travels encrypted inside the value.
import { BaseError } from "../errors.ts";

/** Document types a KYC provider routes on (each adapter maps them to its own vocabulary). */
export type DocumentType = "passport" | "id_card" | "driving_licence" | "residence_permit";
export const DOCUMENT_TYPES: readonly DocumentType[] = ["passport", "id_card", "driving_licence", "residence_permit"];
export const DOCUMENT_TYPE_LABELS: Record<DocumentType, string> = {
  passport: "Passport",
  id_card: "National identity card",
  driving_licence: "Driving licence",
  residence_permit: "Residence permit",
};

/**
 * ISO 3166-1 alpha-3 (what the record holds: Sumsub and Onfido want alpha-3) to alpha-2 (what the
 * claim helpers and Veriff want), for the countries a person can choose. A country outside this
 * table is still a well-formed value; it just gets no COUNTRY_ALLOWED claim and no Veriff country.
 */
export const COUNTRY_ALPHA2: Readonly<Record<string, string>> = Object.fromEntries(
  (
    "AUT:AT BEL:BE BGR:BG HRV:HR CYP:CY CZE:CZ DNK:DK EST:EE FIN:FI FRA:FR DEU:DE GRC:GR HUN:HU IRL:IE ITA:IT LVA:LV LTU:LT " +
    "LUX:LU MLT:MT NLD:NL POL:PL PRT:PT ROU:RO SVK:SK SVN:SI ESP:ES SWE:SE ISL:IS LIE:LI NOR:NO CHE:CH GBR:GB USA:US CAN:CA " +
    "MEX:MX BRA:BR ARG:AR AUS:AU NZL:NZ JPN:JP KOR:KR CHN:CN IND:IN IDN:ID SGP:SG ZAF:ZA NGA:NG TUR:TR UKR:UA ARE:AE SAU:SA ISR:IL"
  )
    .split(" ")
    .map((pair) => pair.split(":") as [string, string]),
);

/** How a text field's value is written. */
export type FieldFormat = "text" | "date" | "country" | "document_type";

export type TextField = { name: string; kind: "text"; format: FieldFormat; label: string; required: boolean; autoComplete: string };
export type DocumentField = { name: string; kind: "document"; label: string; required: boolean };

/**
 * The record's fields, in the order the form shows them. Every field is optional to the
 * encryption (a grant carries what the person chose to share); `required` is what a KYC provider
 * needs for a check, so the form asks for it.
 */
export const RECORD_FIELDS = [
  { name: "first_name", kind: "text", format: "text", label: "First name", required: true, autoComplete: "given-name" },
  { name: "last_name", kind: "text", format: "text", label: "Last name", required: true, autoComplete: "family-name" },
  { name: "date_of_birth", kind: "text", format: "date", label: "Date of birth", required: true, autoComplete: "bday" },
  { name: "country", kind: "text", format: "country", label: "Nationality", required: true, autoComplete: "off" },
  { name: "address", kind: "text", format: "text", label: "Home address", required: false, autoComplete: "street-address" },
  { name: "document_type", kind: "text", format: "document_type", label: "Type of identity document", required: true, autoComplete: "off" },
  { name: "document_country", kind: "text", format: "country", label: "Country that issued the document", required: true, autoComplete: "off" },
  { name: "id_number", kind: "text", format: "text", label: "Document number", required: true, autoComplete: "off" },
  { name: "document_front", kind: "document", label: "Front of the document", required: true },
  { name: "document_back", kind: "document", label: "Back of the document", required: false },
] as const satisfies readonly (TextField | DocumentField)[];

export type RecordFieldName = (typeof RECORD_FIELDS)[number]["name"];
export const TEXT_FIELDS: readonly TextField[] = (RECORD_FIELDS as readonly (TextField | DocumentField)[]).filter((f): f is TextField => f.kind === "text");
export const DOCUMENT_FIELDS: readonly DocumentField[] = (RECORD_FIELDS as readonly (TextField | DocumentField)[]).filter(
  (f): f is DocumentField => f.kind === "document",
);

/** The field names, by what they mean (the review service reads through these). */
export const FIELD_NAMES = {
  firstName: "first_name",
  lastName: "last_name",
  dateOfBirth: "date_of_birth",
  country: "country",
  address: "address",
  documentType: "document_type",
  documentCountry: "document_country",
  idNumber: "id_number",
  documentFront: "document_front",
  documentBack: "document_back",
} as const satisfies Record<string, RecordFieldName>;

/** Further documents beyond front and back (a proof of address, a second page): document_1..N. */
export const extraDocumentField = (i: number): string => `document_${i + 1}`;
const EXTRA = /^document_(\d+)$/;

/** Whether a field's value is a packed document (the schema's two sides and every extra one). */
export const isDocumentField = (name: string): boolean => name === FIELD_NAMES.documentFront || name === FIELD_NAMES.documentBack || EXTRA.test(name);

/**
 * The words a person reads for a field name. A name outside the schema (a record written before
 * it, e.g. "full_name") gets a generic label made of the name itself, so old records stay readable.
 */
export function fieldLabel(name: string): string {
  const f = RECORD_FIELDS.find((x) => x.name === name);
  if (f) return f.label;
  const extra = EXTRA.exec(name);
  if (extra) return `Further document ${extra[1]}`;
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// ---- values --------------------------------------------------------------------------------------

export type InvalidFieldValueErrorType = InvalidFieldValueError & { name: "InvalidFieldValueError" };
/** A text field's value is not in the schema's format. Names the field and the format, never the value. */
export class InvalidFieldValueError extends BaseError {
  override name = "InvalidFieldValueError" as const;
  readonly field: string;
  constructor(field: string, expected: string) {
    super(`The field "${field}" must be ${expected}.`, { docsPath: "sdk.md#record-schema" });
    this.field = field;
  }
}

const FORMAT_TEXT: Record<FieldFormat, string> = {
  text: "non-empty text of at most 200 characters",
  date: "a calendar date written YYYY-MM-DD",
  country: "an ISO 3166-1 alpha-3 country code (e.g. DEU)",
  document_type: `one of ${DOCUMENT_TYPES.join(", ")}`,
};

function isCalendarDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Whether `value` is a well-formed value of the given format. */
export function isValidValue(format: FieldFormat, value: string): boolean {
  switch (format) {
    case "text":
      return value.trim().length > 0 && value.length <= 200;
    case "date":
      return isCalendarDate(value);
    case "country":
      return /^[A-Z]{3}$/.test(value);
    case "document_type":
      return DOCUMENT_TYPES.includes(value as DocumentType);
  }
}

/** Throws InvalidFieldValueError when a schema text field holds a value outside its format. */
export function checkFieldValue(name: string, value: string): void {
  const f = TEXT_FIELDS.find((x) => x.name === name);
  if (f && !isValidValue(f.format, value)) throw new InvalidFieldValueError(name, FORMAT_TEXT[f.format]);
}

// ---- documents -----------------------------------------------------------------------------------

/** The file types a KYC provider takes for a document image (every adapter accepts these three). */
export type DocumentMimeType = "image/jpeg" | "image/png" | "application/pdf";
export const DOCUMENT_MIME_TYPES: readonly DocumentMimeType[] = ["image/jpeg", "image/png", "application/pdf"];
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

export interface DocumentFile {
  /** The file's own name (can be personal: it travels encrypted). */
  name: string;
  type: DocumentMimeType;
  bytes: Uint8Array;
}

export type InvalidDocumentErrorType = InvalidDocumentError & { name: "InvalidDocumentError" };
/** A packed document value is malformed, or a file is not one a provider takes. Never names the file. */
export class InvalidDocumentError extends BaseError {
  override name = "InvalidDocumentError" as const;
  constructor(reason: string) {
    super(`Not a valid document: ${reason}.`, { docsPath: "sdk.md#record-schema" });
  }
}

/** The type a file's first bytes say it is, or undefined (a check on the declared type, not the source of it). */
export function sniffMimeType(b: Uint8Array): DocumentMimeType | undefined {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return "application/pdf";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  return undefined;
}

function checkFile(type: string, bytes: Uint8Array): asserts type is DocumentMimeType {
  if (!DOCUMENT_MIME_TYPES.includes(type as DocumentMimeType)) throw new InvalidDocumentError(`type must be one of ${DOCUMENT_MIME_TYPES.join(", ")}`);
  if (bytes.length === 0) throw new InvalidDocumentError("the file is empty");
  if (bytes.length > MAX_DOCUMENT_BYTES) throw new InvalidDocumentError(`the file is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB`);
  if (sniffMimeType(bytes) !== type) throw new InvalidDocumentError(`the file's content is not ${type}`);
}

/** 4-byte big-endian header length | header JSON {name,type} | file bytes. */
export function packFile(f: { name: string; type: string; bytes: Uint8Array }): Uint8Array {
  checkFile(f.type, f.bytes);
  const header = new TextEncoder().encode(JSON.stringify({ name: String(f.name), type: f.type }));
  const out = new Uint8Array(4 + header.length + f.bytes.length);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, 4);
  out.set(f.bytes, 4 + header.length);
  return out;
}

/** The file inside a packed document value; InvalidDocumentError when it is not one. */
export function unpackFile(value: Uint8Array): DocumentFile {
  if (!(value instanceof Uint8Array) || value.length < 4) throw new InvalidDocumentError("too short for a header");
  const n = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
  if (n > 4096 || 4 + n > value.length) throw new InvalidDocumentError("the header length is out of range");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(value.subarray(4, 4 + n)));
  } catch {
    throw new InvalidDocumentError("the header is not JSON");
  }
  const h = header as { name?: unknown; type?: unknown };
  if (typeof h !== "object" || h === null || typeof h.name !== "string" || typeof h.type !== "string") {
    throw new InvalidDocumentError("the header has no name and type");
  }
  const bytes = value.subarray(4 + n);
  checkFile(h.type, bytes);
  return { name: h.name, type: h.type, bytes };
}

// ---- a record --------------------------------------------------------------------------------------

export type RecordValues = Record<string, string | Uint8Array>;

/**
 * The record's values for `encryptRecord`: text fields trimmed, checked against their format and
 * dropped when empty; documents packed (front, back, then extras as document_1..N).
 */
export function buildRecordFields(p: {
  text: Partial<Record<string, string>>;
  front?: DocumentFile;
  back?: DocumentFile;
  extra?: readonly DocumentFile[];
}): RecordValues {
  const out: RecordValues = {};
  for (const f of TEXT_FIELDS) {
    const v = p.text[f.name]?.trim();
    if (!v) continue;
    checkFieldValue(f.name, v);
    out[f.name] = v;
  }
  if (p.front) out[FIELD_NAMES.documentFront] = packFile(p.front);
  if (p.back) out[FIELD_NAMES.documentBack] = packFile(p.back);
  for (const [i, f] of (p.extra ?? []).entries()) out[extraDocumentField(i)] = packFile(f);
  return out;
}

const asText = (v: string | Uint8Array | undefined): string | undefined =>
  v === undefined ? undefined : typeof v === "string" ? v : new TextDecoder().decode(v);

export type ParsedRecord = {
  /** The schema's text fields that are present and well formed, by name. */
  text: Partial<Record<RecordFieldName, string>>;
  /** The schema's documents (front, back, extras) that unpack cleanly, by field name. */
  documents: Record<string, DocumentFile>;
  /** Fields present but unusable: malformed values, unreadable documents (names only, never values). */
  invalid: string[];
};

/** Reads decrypted values through the schema: what a reviewer can use, and which fields it cannot. */
export function parseRecord(values: RecordValues): ParsedRecord {
  const get = (name: string) => (Object.hasOwn(values, name) ? values[name] : undefined);
  const text: ParsedRecord["text"] = {};
  const documents: ParsedRecord["documents"] = {};
  const invalid: string[] = [];
  for (const f of TEXT_FIELDS) {
    const v = asText(get(f.name))?.trim();
    if (v === undefined || v === "") continue;
    if (isValidValue(f.format, v)) text[f.name as RecordFieldName] = v;
    else invalid.push(f.name);
  }
  for (const name of Object.keys(values).filter(isDocumentField)) {
    const v = values[name];
    try {
      documents[name] = unpackFile(typeof v === "string" ? new TextEncoder().encode(v) : v);
    } catch {
      invalid.push(name);
    }
  }
  return { text, documents, invalid };
}
