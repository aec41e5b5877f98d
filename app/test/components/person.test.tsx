import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { expect, test } from "vitest";
import { encryptRecord, fieldsOfMask, type Manifest } from "@onekey/sdk/crypto";
import { FieldPicker } from "../../src/person/GrantForm.tsx";
import { grantMask, grantStateOf } from "../../src/person/fields.ts";
import { packFile } from "@onekey/sdk/schema";
import { projectName } from "../../src/person/data.ts";

async function manifest(): Promise<Manifest> {
  const enc = await encryptRecord({
    recordId: `0x${"ab".repeat(32)}`,
    version: 1,
    // The schema's names, plus one written before the schema (full_name), which keeps a generic label.
    fields: {
      first_name: "A",
      date_of_birth: "1990-02-03",
      full_name: "C",
      document_front: packFile({ name: "f.pdf", type: "application/pdf", bytes: new Uint8Array([0x25, 0x50, 0x44, 0x46, 1]) }),
    },
  });
  return enc.manifest;
}

function Picker({ m }: { m: Manifest }) {
  const [chosen, setChosen] = useState<string[]>([]);
  return (
    <>
      <FieldPicker manifest={m} chosen={chosen} onChange={setChosen} />
      <output data-testid="chosen">{chosen.join(",")}</output>
    </>
  );
}

test("the field picker labels the schema's fields in plain words and builds the mask of exactly the ticked fields", async () => {
  const m = await manifest();
  render(<Picker m={m} />);
  expect(screen.getAllByRole("checkbox").map((c) => c.parentElement?.textContent?.trim())).toEqual(
    expect.arrayContaining(["First name", "Date of birth", "Full name", "Front of the document"]),
  );
  fireEvent.click(screen.getByRole("checkbox", { name: "Date of birth" }));
  fireEvent.click(screen.getByRole("checkbox", { name: "Front of the document" }));
  const chosen = screen.getByTestId("chosen").textContent!.split(",");
  const mask = grantMask(m, chosen);
  expect(
    fieldsOfMask(m, mask)
      .map((f) => f.name)
      .sort(),
  ).toEqual(["date_of_birth", "document_front"]);
  expect(screen.getByTestId("mask").textContent).toContain(`mask 0b${mask.toString(2)}`);
  expect(screen.getByTestId("mask").textContent).toContain("Sharing 2 of 4 fields");
  // Unticking removes exactly that bit.
  fireEvent.click(screen.getByRole("checkbox", { name: "Date of birth" }));
  expect(fieldsOfMask(m, grantMask(m, screen.getByTestId("chosen").textContent!.split(","))).map((f) => f.name)).toEqual(["document_front"]);
});

test("grant state is judged at chain time: revoked and erased beat expiry, a rotated record supersedes", () => {
  expect(grantStateOf({ revoked: false, expiry: 100n, recordVersion: 1 }, 1, false, 99n)).toBe("live");
  expect(grantStateOf({ revoked: false, expiry: 100n, recordVersion: 1 }, 1, false, 100n)).toBe("expired");
  expect(grantStateOf({ revoked: true, expiry: 100n, recordVersion: 1 }, 1, false, 1n)).toBe("revoked");
  expect(grantStateOf({ revoked: false, expiry: 100n, recordVersion: 1 }, 1, true, 1n)).toBe("revoked");
  expect(grantStateOf({ revoked: false, expiry: 100n, recordVersion: 1 }, 2, false, 1n)).toBe("superseded");
});

test("project names come from their metadata, never from anything the person typed", () => {
  expect(projectName({ id: "3", metadataURI: `data:application/json,${encodeURIComponent('{"name":"Acme"}')}` })).toBe("Acme (#3)");
  expect(projectName({ id: "4", metadataURI: "https://example.org/onekey/kyc.json" })).toBe("example.org/onekey/kyc (#4)");
  expect(projectName({ id: "5", metadataURI: "data:application/json,{bad" })).toBe("Project 5");
  expect(projectName(undefined, "9")).toBe("Project 9");
});
