// @vitest-environment happy-dom
// Logic that lives in the console's components: errors in plain words (keyboard-reachable
// details), the webhook event filter, the project name read from its metadata, the audit verdict.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { canonicalPayload, GENESIS_HASH, rowHash } from "@onekey/sdk/audit";
import { IndexerApiError, InvalidInputError } from "./lib/errors.ts";
import { verifyRows } from "@onekey/sdk/audit";
import { Problem } from "./ui.tsx";
import { parseEventFilter } from "./Webhooks.tsx";
import { projectName } from "./Overview.tsx";
import { Verdict } from "./Audit.tsx";

afterEach(cleanup);

describe("console components", () => {
  it("says an indexer refusal in plain words and keeps the technical line behind a labelled toggle", () => {
    render(<Problem error={new IndexerApiError("MissingScope", 403, 'API key 0xab lacks the "audit" scope needed here (it has: read).')} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("This API key lacks the scope this page needs.");
    expect(alert.textContent).not.toContain("0xab");
    const toggle = screen.getByRole("button", { name: "Details" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(toggle);
    expect(screen.getByRole("alert").textContent).toContain("MissingScope");
  });

  it("shows a form refusal as its own sentence", () => {
    render(<Problem error={new InvalidInputError("account", "Enter the member's address (0x followed by 40 hex digits).")} />);
    expect(screen.getByRole("alert").textContent).toContain("Enter the member's address");
  });

  it("parses the webhook event filter and names a bad entry", () => {
    expect(parseEventFilter("grant.*, attestation.created  alert.*")).toEqual(["grant.*", "attestation.created", "alert.*"]);
    expect(parseEventFilter("  ")).toEqual([]);
    expect(parseEventFilter("*")).toEqual(["*"]);
    expect(() => parseEventFilter("grant.created, DROP TABLE")).toThrow(/“DROP” is not an event type/);
  });

  it("reads the project's name from its data: metadata URI, and nothing from anything else", () => {
    expect(projectName(`data:application/json,${encodeURIComponent(JSON.stringify({ name: "Acme KYC" }))}`)).toBe("Acme KYC");
    expect(projectName("ipfs://bafy")).toBeUndefined();
    expect(projectName("data:application/json,%7Bbroken")).toBeUndefined();
  });

  it("renders the audit verdict: a pass as status, a failure as an alert naming the row", () => {
    const row = {
      chainId: "1",
      projectId: "1",
      seq: "1",
      eventId: "1",
      eventType: "project.created",
      blockNumber: "1",
      blockHash: "0x",
      transactionHash: "0x",
      logIndex: "0",
      timestamp: "1",
      payload: canonicalPayload({}),
      prevHash: GENESIS_HASH,
    };
    const good = { ...row, hash: rowHash(row) };
    render(<Verdict result={verifyRows([good])} label="In this browser" />);
    expect(screen.getByRole("status").textContent).toMatch(/1 rows verified/);
    cleanup();
    render(<Verdict result={verifyRows([{ ...good, eventType: "project.suspended" }])} label="export.json" />);
    expect(screen.getByRole("alert").textContent).toMatch(/failed at row seq 1/);
  });
});
