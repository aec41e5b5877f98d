// Standard Webhooks signing as the indexer and the review service send it, checked against the
// off-the-shelf verifier receivers use (the `standardwebhooks` package).
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, webhookHeaders } from "../src/webhooks.ts";

describe("Standard Webhooks signing", () => {
  it("produces headers the standardwebhooks package verifies, and only for the exact body", () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ id: "msg_1", type: "grant.created", timestamp: new Date().toISOString(), data: { a: "1" } });
    const headers = webhookHeaders(secret, "msg_1", body);
    expect(headers["user-agent"]).toBe("OneKey-Webhooks/1");
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: "grant.created" });
    expect(() => new Webhook(secret).verify(body.replace('"1"', '"2"'), headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    const at = new Date(1_700_000_000_000);
    expect(signWebhook(secret, "msg_1", 1_700_000_000, body)).toBe(new Webhook(secret).sign("msg_1", at, body));
  });

  it("names the sender and signs at the given time", () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders(secret, "case_1", "{}", 1_700_000_000_999, "OneKey-Review/1");
    expect(headers).toMatchObject({ "user-agent": "OneKey-Review/1", "webhook-id": "case_1", "webhook-timestamp": "1700000000" });
    expect(headers["webhook-signature"]).toBe(new Webhook(secret).sign("case_1", new Date(1_700_000_000_000), "{}"));
  });
});
