// grantedFromRecord reads a decrypted record through the SDK's record schema: what the person's
// page writes (buildRecordFields, packFile) is what reaches a provider, with the type from the
// packed header; raw, malformed or old-named fields never reach one.
import { describe, expect, it } from "vitest";
import { buildRecordFields, FIELD_NAMES, packFile } from "@onekey/sdk/schema";
import { claimsFrom, grantedFromRecord, type ReviewProject } from "../src/service/config.ts";
import { jpeg } from "./fixtures.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7]);
// Exactly what the person's Submit form writes for a passport with front and back.
const fromForm = () =>
  buildRecordFields({
    text: {
      first_name: "Ada",
      last_name: "Lovelace",
      date_of_birth: "1990-02-03",
      country: "DEU",
      document_type: "passport",
      document_country: "FRA",
      id_number: "P1",
    },
    front: { name: "front.jpg", type: "image/jpeg", bytes: jpeg },
    back: { name: "back.png", type: "image/png", bytes: PNG },
  });

describe("grantedFromRecord (the review service reads the app's record schema)", () => {
  it("reads the form's record: fields, document type, both sides unpacked with the header's type", () => {
    const g = grantedFromRecord(fromForm());
    expect(g.fields).toEqual({ firstName: "Ada", lastName: "Lovelace", dateOfBirth: "1990-02-03", country: "DEU", idNumber: "P1" });
    expect(g.documentType).toBe("passport");
    expect(g.documents).toEqual([
      { type: "passport", side: "front", country: "FRA", mimeType: "image/jpeg", bytes: jpeg },
      { type: "passport", side: "back", country: "FRA", mimeType: "image/png", bytes: PNG },
    ]);
    expect(g.invalid).toEqual([]);
  });

  it("the document country falls back to the nationality; values may arrive as bytes", () => {
    const v = fromForm();
    delete v[FIELD_NAMES.documentCountry];
    v.first_name = new TextEncoder().encode("Ada");
    const g = grantedFromRecord(v);
    expect(g.documents[0].country).toBe("DEU");
    expect(g.fields.firstName).toBe("Ada");
  });

  it("raw (unpacked) bytes, a bad document type and malformed values are not used, and are named", () => {
    const g = grantedFromRecord({ ...fromForm(), document_front: jpeg, document_back: packFile({ name: "b", type: "image/png", bytes: PNG }).subarray(0, 6) });
    expect(g.documents).toEqual([]);
    expect(g.invalid.sort()).toEqual(["document_back", "document_front"]);
    const h = grantedFromRecord({ ...fromForm(), document_type: "library_card", date_of_birth: "03/02/1990", country: "Germany" });
    expect(h.documentType).toBeUndefined();
    expect(h.documents).toEqual([]);
    expect(h.fields.dateOfBirth).toBeUndefined();
    expect(h.fields.country).toBeUndefined();
    expect(h.invalid.sort()).toEqual(["country", "date_of_birth", "document_type"]);
  });

  it("a record written before the schema (full_name, nationality, document_1) yields no document: resubmission", () => {
    const old = {
      full_name: "Ada Lovelace",
      date_of_birth: "1990-02-03",
      nationality: "GB",
      document_number: "P1",
      document_1: packFile({ name: "scan.jpg", type: "image/jpeg", bytes: jpeg }),
    };
    const g = grantedFromRecord(old);
    expect(g.documentType).toBeUndefined();
    expect(g.documents).toEqual([]);
    expect(g.fields).toEqual({ dateOfBirth: "1990-02-03" });
  });

  it("claims come from the schema's formats: an age claim from the date, COUNTRY_ALLOWED via alpha-3 -> alpha-2", () => {
    const project = { countryAllowList: ["DE"] } as ReviewProject;
    const g = grantedFromRecord(fromForm());
    const now = new Date("2026-01-01T00:00:00Z");
    const withCountry = claimsFrom(g, project, now);
    const without = claimsFrom({ ...g, fields: { ...g.fields, country: "USA" } }, project, now);
    expect(withCountry).not.toBe(without);
    expect(withCountry & ~without).toBeGreaterThan(0);
    expect(claimsFrom({ ...g, fields: {} }, project, now)).toBe(0);
  });
});
