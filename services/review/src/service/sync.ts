// Triggers: the indexer's signed webhook (grant.*, record.*) and, as a fallback, polling the
// indexer's grants of each project. Both only name a record; the chain itself then says whether a
// live KYC_REVIEW grant to the project exists (open a case for that grant) or not (cancel, or
// close as expired, the open cases of that record).
import type { Hex, PublicClient } from "viem";
import { Webhook } from "standardwebhooks";
import { getGrant, getRecord, isGrantLive, projectGrantee, Purpose } from "@onekey/sdk/contracts";
import type { Store } from "../db/store.ts";
import type { ReviewLogLine, ReviewProject } from "./config.ts";
import { insertCase, requestCancel } from "./cases.ts";

export type SyncContext = {
  store: Store;
  projects: Map<string, ReviewProject>;
  publicClient: PublicClient;
  addresses: { projectRegistry: Hex; recordRegistry: Hex; attestationRegistry: Hex };
  indexerUrl: string;
  /** Where the indexer should deliver (this service's webhook route for a project). */
  webhookUrl: (projectId: bigint) => string;
  log: (line: ReviewLogLine) => void;
  kick: () => void;
};

const RECORD_ID = /^0x[0-9a-fA-F]{64}$/;
const HANDLED = new Set(["grant.created", "grant.revoked", "record.erased", "record.rotated"]);

export function createSync(ctx: SyncContext) {
  const { store, log } = ctx;
  const secrets = new Map<string, string>();
  const known = new Set<string>();
  // A project whose key the indexer refuses would log every poll: log when the answer changes.
  const lastPoll = new Map<string, number>();
  const pollStatus = (projectId: bigint, status: number) => {
    if (lastPoll.get(projectId.toString()) !== status && status !== 200) log({ event: "indexer.poll_failed", projectId: projectId.toString(), status });
    lastPoll.set(projectId.toString(), status);
  };

  /** Opens or cancels cases for one record from the chain's state now. */
  async function syncRecord(projectId: bigint, recordId: Hex): Promise<"opened" | "exists" | "cancelled" | "none"> {
    const project = ctx.projects.get(projectId.toString());
    if (!project) return "none";
    const now = Date.now();
    const target = { recordId, addresses: ctx.addresses };
    const [record, grant, live, block] = await Promise.all([
      getRecord(ctx.publicClient, target),
      getGrant(ctx.publicClient, { ...target, grantee: projectGrantee(projectId) }),
      isGrantLive(ctx.publicClient, { ...target, grantee: projectGrantee(projectId) }),
      ctx.publicClient.getBlock(),
    ]);
    if (record.erased) return (await requestCancel(store, projectId, recordId, "record_erased", now)).length ? kicked("cancelled") : "none";
    if (!live || grant.purpose !== Purpose.KYC_REVIEW) {
      const why = !grant.revoked && grant.expiry > 0n && grant.expiry <= block.timestamp ? "grant_expired" : "grant_revoked";
      return (await requestCancel(store, projectId, recordId, why, now)).length ? kicked("cancelled") : "none";
    }
    const grantedAt = BigInt(grant.grantedAt);
    // A re-grant replaces the earlier one: its open case ends, the new grant gets its own.
    await requestCancel(store, projectId, recordId, "grant_revoked", now, { recordVersion: grant.recordVersion, grantedAt });
    const row = await insertCase(
      store,
      project,
      { projectId, recordId, recordVersion: grant.recordVersion, grantedAt, subject: record.owner, openedBlock: block.number },
      now,
    );
    if (row) log({ event: "case.opened", caseId: row.id, projectId: projectId.toString() });
    return row ? kicked("opened") : "exists";
  }
  const kicked = <T>(v: T) => (ctx.kick(), v);

  async function secretOf(project: ReviewProject): Promise<string | undefined> {
    const id = project.projectId.toString();
    if (project.indexerWebhookSecret) return project.indexerWebhookSecret;
    if (secrets.has(id)) return secrets.get(id);
    const [row] = await store.query<{ secret: string }>("SELECT secret FROM indexer_endpoint WHERE project_id = $1", [id]);
    if (row) secrets.set(id, row.secret);
    return row?.secret;
  }

  /** Registers this service's endpoint at the indexer once per project (the secret is kept in the database). */
  async function ensureEndpoint(project: ReviewProject): Promise<boolean> {
    if (!project.indexerApiKey || (await secretOf(project))) return true;
    const res = await fetch(`${ctx.indexerUrl}/v1/projects/${project.projectId}/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${project.indexerApiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ url: ctx.webhookUrl(project.projectId), eventTypes: ["grant.*", "record.*"], description: "OneKey review service" }),
    }).catch(() => undefined);
    if (res?.status !== 201) {
      if (lastPoll.get(`endpoint:${project.projectId}`) !== (res?.status ?? 0))
        log({ event: "indexer.endpoint_not_registered", projectId: project.projectId.toString(), status: res?.status ?? 0 });
      lastPoll.set(`endpoint:${project.projectId}`, res?.status ?? 0);
      return false;
    }
    const body = (await res.json()) as { id: string; secret: string };
    await store.query("INSERT INTO indexer_endpoint (project_id, endpoint_id, secret) VALUES ($1,$2,$3) ON CONFLICT (project_id) DO NOTHING", [
      project.projectId.toString(),
      body.id,
      body.secret,
    ]);
    secrets.delete(project.projectId.toString());
    log({ event: "indexer.endpoint_registered", projectId: project.projectId.toString(), endpointId: body.id });
    return true;
  }

  /**
   * A delivery from the indexer. Returns the HTTP answer; a bad signature is refused and logged
   * (the project and the reason, nothing from the body).
   */
  async function onWebhook(projectId: bigint, rawBody: string, headers: Record<string, string>): Promise<{ status: number; error?: string; message?: string }> {
    const project = ctx.projects.get(projectId.toString());
    if (!project) return { status: 404, error: "ProjectNotServed", message: `this service does not review for project ${projectId}` };
    const secret = await secretOf(project);
    let message: { type?: unknown; data?: { recordId?: unknown } };
    try {
      if (!secret) throw new Error("no endpoint secret for this project yet");
      message = new Webhook(secret).verify(rawBody, headers) as typeof message;
    } catch (error) {
      log({ event: "indexer_webhook.refused", projectId: projectId.toString(), reason: (error as Error).message.slice(0, 80) });
      return { status: 401, error: "InvalidWebhookSignature", message: "the webhook signature does not verify with this project's endpoint secret" };
    }
    const id = headers["webhook-id"];
    const fresh = await store.query("INSERT INTO seen_event (source, event_id, seen_at) VALUES ('indexer', $1, $2) ON CONFLICT DO NOTHING RETURNING event_id", [
      `${projectId}:${id}`,
      Date.now(),
    ]);
    if (fresh.length === 0) return { status: 200 };
    const type = typeof message.type === "string" ? message.type : "";
    const recordId = message.data?.recordId;
    if (!HANDLED.has(type) || typeof recordId !== "string" || !RECORD_ID.test(recordId)) return { status: 200 };
    const outcome = await syncRecord(projectId, recordId as Hex);
    log({ event: "indexer_webhook.accepted", projectId: projectId.toString(), type, outcome });
    return { status: 200 };
  }

  /** The fallback: every live grant the indexer lists for each project, and every open case's record. */
  async function poll(): Promise<void> {
    projects: for (const project of ctx.projects.values()) {
      if (!project.indexerApiKey) continue;
      await ensureEndpoint(project).catch(() => false);
      const live = new Set<string>();
      let after = "";
      for (let page = 0; page < 100; page++) {
        const res = await fetch(
          `${ctx.indexerUrl}/v1/projects/${project.projectId}/grants?state=live&limit=500${after ? `&after=${encodeURIComponent(after)}` : ""}`,
          {
            headers: { authorization: `Bearer ${project.indexerApiKey}` },
          },
        ).catch(() => undefined);
        pollStatus(project.projectId, res?.status ?? 0);
        if (res?.status !== 200) continue projects;
        const body = (await res.json()) as {
          items: { recordId: string; recordVersion: string; purpose: string; grantedAt: string }[];
          nextCursor: string | null;
        };
        for (const g of body.items) {
          if (Number(g.purpose) !== Purpose.KYC_REVIEW) continue;
          live.add(g.recordId.toLowerCase());
          const key = `${project.projectId}:${g.recordId.toLowerCase()}:${g.recordVersion}:${g.grantedAt}`;
          if (known.has(key)) continue;
          await syncRecord(project.projectId, g.recordId as Hex).catch((e) => log({ event: "sync.failed", error: (e as Error).name }));
          known.add(key);
        }
        if (!body.nextCursor) break;
        after = body.nextCursor;
      }
      const open = await store.query<{ record_id: string }>(
        "SELECT DISTINCT record_id FROM review_case WHERE project_id = $1 AND status <> 'closed' AND cancel IS NULL",
        [project.projectId.toString()],
      );
      for (const { record_id } of open) {
        if (!live.has(record_id)) await syncRecord(project.projectId, record_id as Hex).catch((e) => log({ event: "sync.failed", error: (e as Error).name }));
      }
    }
  }

  return { syncRecord, onWebhook, poll, ensureEndpoint };
}
