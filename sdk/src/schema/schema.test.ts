import { describe, expect, test } from "vitest";
import {
  buildRecordFields,
  checkFieldValue,
  DOCUMENT_TYPES,
  FIELD_NAMES,
  fieldLabel,
  InvalidDocumentError,
  InvalidFieldValueError,
  isDocumentField,
  packFile,
  RECORD_FIELDS,
  parseRecord,
  sniffMimeType,
  unpackFile,
} from "@onekey/sdk/schema";

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9]);

describe("record schema", () => {
  test("names are generic schema words, unique, and FIELD_NAMES points only at schema fields", () => {
    const names = RECORD_FIELDS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z]+(_[a-z]+)*$/);
    for (const n of Object.values(FIELD_NAMES)) expect(names).toContain(n);
    expect(RECORD_FIELDS.filter((f) => f.kind === "document").map((f) => f.name)).toEqual(["document_front", "document_back"]);
  });

  test("labels: schema fields in plain words, old names generically, extras numbered", () => {
    expect(fieldLabel("date_of_birth")).toBe("Date of birth");
    expect(fieldLabel("document_front")).toBe("Front of the document");
    expect(fieldLabel("full_name")).toBe("Full name");
    expect(fieldLabel("document_2")).toBe("Further document 2");
    expect(isDocumentField("document_2") && isDocumentField("document_back") && !isDocumentField("document_type")).toBe(true);
  });

  test("value formats: dates are calendar dates, countries alpha-3, document types the service's", () => {
    for (const ok of ["1990-02-03", "2000-02-29"]) expect(() => checkFieldValue("date_of_birth", ok)).not.toThrow();
    for (const bad of ["1990-2-3", "03/02/1990", "1990-02-30", "2001-02-29", ""])
      expect(() => checkFieldValue("date_of_birth", bad)).toThrow(InvalidFieldValueError);
    expect(() => checkFieldValue("country", "DEU")).not.toThrow();
    for (const bad of ["DE", "deu", "Germany"]) expect(() => checkFieldValue("country", bad)).toThrow(InvalidFieldValueError);
    for (const t of DOCUMENT_TYPES) expect(() => checkFieldValue("document_type", t)).not.toThrow();
    expect(() => checkFieldValue("document_type", "library_card")).toThrow(InvalidFieldValueError);
    // The error names the field and the format, never the value.
    try {
      checkFieldValue("date_of_birth", "Ada 1815");
    } catch (e) {
      expect((e as InvalidFieldValueError).field).toBe("date_of_birth");
      expect((e as Error).message).not.toContain("Ada");
    }
  });

  test("packFile/unpackFile round-trip; the header's type is kept and checked against the bytes", () => {
    const back = unpackFile(packFile({ name: "passport Ada Lovelace.png", type: "image/png", bytes: PNG }));
    expect(back).toEqual({ name: "passport Ada Lovelace.png", type: "image/png", bytes: PNG });
    expect(sniffMimeType(JPEG)).toBe("image/jpeg");
    expect(() => packFile({ name: "x", type: "image/png", bytes: JPEG })).toThrow(InvalidDocumentError);
    expect(() => packFile({ name: "x", type: "image/gif", bytes: JPEG })).toThrow(InvalidDocumentError);
    expect(() => packFile({ name: "x", type: "image/jpeg", bytes: new Uint8Array() })).toThrow(InvalidDocumentError);
  });

  test("hostile packed values are named errors, never a crash or a leak of the file name", () => {
    const good = packFile({ name: "secret-name.jpg", type: "image/jpeg", bytes: JPEG });
    const cases = [
      new Uint8Array(),
      new Uint8Array([0, 0, 0]),
      new Uint8Array([0, 0, 0, 200, 1]),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2]),
      new Uint8Array([0, 0, 0, 2, 0x7b, 0x7d, ...JPEG]), // {} header
      new Uint8Array([0, 0, 0, 1, 0xc3, ...JPEG]), // not UTF-8
      JPEG, // raw bytes, not packed
      good.subarray(0, 10),
    ];
    for (const c of cases) {
      let err: unknown;
      try {
        unpackFile(c);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidDocumentError);
      expect((err as Error).message).not.toContain("secret-name");
    }
  });

  test("buildRecordFields writes what parseRecord reads; malformed and unpackable fields are named, not used", () => {
    const fields = buildRecordFields({
      text: { first_name: " Ada ", last_name: "Lovelace", date_of_birth: "1990-02-03", country: "DEU", document_type: "passport", address: "" },
      front: { name: "front.jpg", type: "image/jpeg", bytes: JPEG },
      extra: [{ name: "bill.png", type: "image/png", bytes: PNG }],
    });
    expect(Object.keys(fields).sort()).toEqual(["country", "date_of_birth", "document_1", "document_front", "document_type", "first_name", "last_name"]);
    const r = parseRecord(fields);
    expect(r.text).toEqual({ first_name: "Ada", last_name: "Lovelace", date_of_birth: "1990-02-03", country: "DEU", document_type: "passport" });
    expect(r.documents.document_front.type).toBe("image/jpeg");
    expect(r.documents.document_1.name).toBe("bill.png");
    expect(r.invalid).toEqual([]);
    expect(() => buildRecordFields({ text: { date_of_birth: "10/12/1815" } })).toThrow(InvalidFieldValueError);

    const bad = parseRecord({ ...fields, country: "Germany", document_back: JPEG, full_name: "Old Record" });
    expect(bad.text.country).toBeUndefined();
    expect(bad.documents.document_back).toBeUndefined();
    expect(bad.invalid.sort()).toEqual(["country", "document_back"]);
  });
});
