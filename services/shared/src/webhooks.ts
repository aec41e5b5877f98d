// Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
// `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 under the base64 secret after its
// `whsec_` prefix, sent as `webhook-signature: v1,<base64>`. Off-the-shelf verifiers (the
// `standardwebhooks` npm package and its ports) accept these headers as they are. The indexer and
// the review service both send with `webhookHeaders`; receivers verify with `standardwebhooks`.
import { createHmac, randomBytes } from "node:crypto";

export const SECRET_PREFIX = "whsec_";

export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
  const mac = createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The headers of one delivery; `userAgent` names the sender (the indexer's by default). */
export function webhookHeaders(secret: string, id: string, body: string, now = Date.now(), userAgent = "OneKey-Webhooks/1"): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    "content-type": "application/json",
    "user-agent": userAgent,
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(secret, id, timestamp, body),
  };
}
