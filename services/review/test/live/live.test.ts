// Live suites against the real providers' sandboxes. Each runs only when its credentials are in
// the environment and is reported as skipped otherwise (CI here has no route to the internet).
// They use a synthetic person and a 1x1 PNG: sandbox accounts only, never production tokens.
import { describe, expect, it } from "vitest";
import { ProviderRequestError } from "../../src/errors.ts";
import { onfidoProvider, type OnfidoConfig } from "../../src/providers/onfido.ts";
import { sumsubProvider } from "../../src/providers/sumsub.ts";
import type { GrantedDocument, KycProvider } from "../../src/providers/types.ts";
import { veriffProvider } from "../../src/providers/veriff.ts";

const env = process.env;
const png = new Uint8Array(Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64"));
const doc: GrantedDocument = { type: "passport", side: "front", country: "GBR", mimeType: "image/png", bytes: png };
const person = { firstName: "Jane", lastName: "Sandbox", dateOfBirth: "1990-01-01", country: "GBR" };

function liveSuite(name: string, enabled: boolean, make: (broken?: boolean) => KycProvider) {
  describe.skipIf(!enabled)(`${name} live (sandbox)`, () => {
    it("creates an applicant, submits a document and reads a result back", async () => {
      const p = make();
      const { applicantId } = await p.createApplicant({
        reference: `onekey-live-${crypto.randomUUID()}`,
        fields: person,
        documentType: "passport",
        country: "GBR",
      });
      expect(applicantId).toBeTruthy();
      const { checkId } = await p.submit({ applicantId, documents: [doc] });
      const result = await p.fetchResult({ applicantId, checkId });
      expect(["pending", "completed"]).toContain(result.state);
    });
    it("wrong credentials are refused with a 4xx ProviderRequestError", async () => {
      const err = await make(true)
        .createApplicant({ reference: `onekey-live-${crypto.randomUUID()}`, fields: person, documentType: "passport" })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ProviderRequestError);
    });
  });
}

liveSuite("sumsub", Boolean(env.SUMSUB_APP_TOKEN && env.SUMSUB_SECRET_KEY), (broken) =>
  sumsubProvider({
    baseUrl: env.SUMSUB_BASE_URL,
    appToken: env.SUMSUB_APP_TOKEN!,
    secretKey: broken ? "wrong" : env.SUMSUB_SECRET_KEY!,
    levelName: env.SUMSUB_LEVEL_NAME ?? "basic-kyc-level",
    webhookSecret: env.SUMSUB_WEBHOOK_SECRET ?? "unused",
  }),
);
liveSuite("onfido", Boolean(env.ONFIDO_API_TOKEN), (broken) =>
  onfidoProvider({
    baseUrl: env.ONFIDO_BASE_URL,
    region: (env.ONFIDO_REGION as OnfidoConfig["region"]) ?? "eu",
    apiToken: broken ? "wrong" : env.ONFIDO_API_TOKEN!,
    webhookToken: env.ONFIDO_WEBHOOK_TOKEN ?? "unused",
  }),
);
// Veriff's POST /sessions needs only the API key, so the broken variant breaks the key.
liveSuite("veriff", Boolean(env.VERIFF_API_KEY && env.VERIFF_SHARED_SECRET), (broken) =>
  veriffProvider({ baseUrl: env.VERIFF_BASE_URL, apiKey: broken ? "wrong" : env.VERIFF_API_KEY!, sharedSecret: env.VERIFF_SHARED_SECRET! }),
);
