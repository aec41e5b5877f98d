// The worker: claims due cases into its lease and runs the step each one is at. Documents are
// fetched, hash-verified and decrypted in memory under the live grant with the project's review
// key, sent to the providers the rules choose, and dropped; the verdict becomes a decision by the
// project's policy; an approval becomes an attestation signed by the reviewer key and relayed with
// `attestBySig`. Nothing decrypted is ever written: the case row keeps ids, codes and claim bits.
import { parseAbiItem, type Address, type Hex, type PublicClient, type WalletClient, type Transport, type Chain, type Account } from "viem";
import { AccessDeniedError, GrantExpiredError, GrantRevokedError, readRecord, RecordErasedError, StaleGrantError } from "@onekey/sdk/flows";
import { attestBySig, getGrant, projectGrantee, signAttestation } from "@onekey/sdk/contracts";
import { ContentHashMismatchError } from "@onekey/sdk/storage";
import { BaseError } from "@onekey/sdk/errors";
import type { Case, CaseEvent } from "../cases/state-machine.ts";
import { startCheck } from "../orchestration/check.ts";
import type { BreakerStore } from "../orchestration/fallback.ts";
import { decideCase } from "../orchestration/policy.ts";
import { normaliseOutcome, type Verdict } from "../orchestration/verdict.ts";
import { reviewKeyId } from "../keys/ids.ts";
import type { DocumentType, KycProvider, ProviderName } from "../providers/types.ts";
import type { Store } from "../db/store.ts";
import { claimsFrom, DOCUMENT_VERIFIED, grantedFromRecord, type ReviewKeyStore, type ReviewLogLine, type ReviewProject } from "./config.ts";
import { applyAll, claimDue, LeaseLostError, limitsOf, releaseLease, saveLeased, type CaseRow, type Transitioned } from "./cases.ts";

export class ReviewKeyMissingError extends BaseError {
  override name = "ReviewKeyMissingError";
  constructor(id: string) {
    super(`The key store holds no review key "${id}".`, { docsPath: "review-service.md#key-custody" });
  }
}

export type EngineContext = {
  store: Store;
  projects: Map<string, ReviewProject>;
  providers: Partial<Record<ProviderName, KycProvider>>;
  breakers: BreakerStore;
  publicClient: PublicClient;
  attester: WalletClient<Transport, Chain, Account>;
  relayer: WalletClient<Transport, Chain, Account>;
  addresses: { projectRegistry: Address; recordRegistry: Address; attestationRegistry: Address };
  storage: Parameters<typeof readRecord>[1]["storage"];
  /** The indexer the record's storage id and wrapped key are read through (no log scan). */
  indexerUrl: string;
  keyStore: ReviewKeyStore;
  owner: string;
  leaseMs: number;
  providerPollMs: number;
  concurrency: number;
  log: (line: ReviewLogLine) => void;
};

const ATTESTED = parseAbiItem(
  "event Attested(uint256 indexed projectId, address indexed subject, address indexed attester, uint8 level, uint64 expiry, uint32 claims, bytes32 recordId)",
);
const DAY = 86_400n;
const backoff = (attempt: number) => Math.min(60_000, 1_000 * 2 ** Math.max(0, attempt - 1));

/** Stores a verdict for a check (from a callback or a poll); the first one wins. */
export async function storeVerdict(store: Store, provider: ProviderName, checkId: string, v: Verdict, now: number): Promise<boolean> {
  const rows = await store.query(
    "INSERT INTO provider_result (provider, check_id, status, reasons, risk_labels, received_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING RETURNING check_id",
    [provider, checkId, v.kind, JSON.stringify(v.reasons), JSON.stringify(v.riskLabels), now],
  );
  await store.query("UPDATE review_case SET due_at = $3 WHERE provider = $1 AND provider_ref = $2 AND status = 'checking' AND due_at > $3", [
    provider,
    checkId,
    now,
  ]);
  return rows.length > 0;
}

export function createEngine(ctx: EngineContext) {
  const { store, log } = ctx;
  // Attestations from one reviewer key take its nonces in order: one at a time per key, across
  // instances too (the advisory lock is held while the transaction is sent and mined).
  let attesterQueue: Promise<unknown> = Promise.resolve();

  async function findAttestation(row: CaseRow): Promise<Hex | undefined> {
    const logs = await ctx.publicClient.getLogs({
      address: ctx.addresses.attestationRegistry,
      event: ATTESTED,
      args: { projectId: BigInt(row.project_id), subject: row.subject as Address, attester: ctx.attester.account.address },
      fromBlock: BigInt(row.opened_block),
      toBlock: "latest",
    });
    return logs.find((l) => l.args.recordId?.toLowerCase() === row.record_id)?.transactionHash ?? undefined;
  }

  async function attestOnce(row: CaseRow, level: number, claims: number): Promise<Hex> {
    const run = async () =>
      store.transaction(async (sql) => {
        await sql.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`onekey-review-attester:${ctx.attester.account.address.toLowerCase()}`]);
        // A previous holder may have landed it and died before saving: never attest twice.
        const landed = await findAttestation(row);
        if (landed) return landed;
        const project = ctx.projects.get(row.project_id)!;
        const block = await ctx.publicClient.getBlock();
        const ttl = BigInt(project.attestationTtlSeconds ?? 365 * 86_400);
        const signed = await signAttestation(ctx.attester, {
          projectId: BigInt(row.project_id),
          addresses: ctx.addresses,
          deadline: block.timestamp + DAY,
          request: {
            subject: row.subject as Address,
            level,
            expiry: block.timestamp + ttl,
            claims: (claims | DOCUMENT_VERIFIED) >>> 0,
            recordId: row.record_id as Hex,
          },
        });
        const r = await attestBySig(ctx.relayer, { ...signed, addresses: ctx.addresses });
        return r.hash;
      });
    const next = attesterQueue.then(run, run);
    attesterQueue = next.catch(() => {});
    return next;
  }

  async function process(row: CaseRow): Promise<void> {
    const project = ctx.projects.get(row.project_id);
    if (!project) return releaseLease(store, row, ctx.owner, Date.now() + 60_000);
    const limits = limitsOf(project);
    let c: Case = row.state;
    const done: Transitioned[] = [];
    const step = (...events: (CaseEvent & { actor?: string })[]) => {
      const r = applyAll(c, events, Date.now(), limits);
      c = r.case;
      done.push(...r.done);
      return r.done;
    };
    let retryIn: number | undefined;
    let claims: number | undefined;
    let documentType: DocumentType | undefined;
    const appliedCancel = row.cancel ?? undefined;
    if (row.cancel) step({ type: row.cancel });
    step({ type: "tick" });

    if (c.status === "opened" || (c.status === "checking" && !c.provider)) {
      const r = await runCheck(row, project, c, step);
      claims = r.claims;
      documentType = r.documentType;
      retryIn = r.retryIn;
    } else if (c.status === "checking") {
      retryIn = await awaitVerdict(row, project, c, step, (row.document_type ?? "passport") as DocumentType);
    }
    if (c.status === "attesting") {
      try {
        const tx = await attestOnce(row, c.level!, claims ?? Number(row.claims ?? 0));
        step({ type: "attested", tx });
        log({ event: "case.attested", caseId: row.id, projectId: row.project_id, tx });
      } catch (error) {
        log({ event: "attestation.failed", caseId: row.id, error: (error as Error).name, reason: (error as BaseError).shortMessage?.slice(0, 120) });
        step({ type: "attestation_failed" });
        retryIn = backoff(c.steps.attestation.attempts);
      }
    }

    // SLA per step: a step running past its budget is flagged once (a webhook tells the project).
    const flags = [...(row.sla_flags ?? [])];
    const now = Date.now();
    const budgets = {
      documents: project.sla?.documentsMs,
      provider: project.sla?.providerMs,
      review: project.sla?.reviewMs,
      attestation: project.sla?.attestationMs,
    };
    let nextSla = Infinity;
    for (const [name, budget] of Object.entries(budgets)) {
      const s = c.steps[name as keyof typeof budgets];
      if (budget === undefined || s.status !== "running" || s.startedAt === undefined || flags.includes(name)) continue;
      if (now - s.startedAt >= budget) {
        flags.push(name);
        done.push({ event: `sla_breached:${name}`, from: c.status, to: c.status, emit: ["case.sla_breached"], effects: [] });
      } else nextSla = Math.min(nextSla, s.startedAt + budget);
    }

    const dueAt =
      retryIn !== undefined
        ? now + retryIn
        : c.status === "checking"
          ? now + ctx.providerPollMs
          : c.status === "manual_review"
            ? Math.min(c.deadline, nextSla)
            : c.status === "closed"
              ? now
              : now;
    try {
      await saveLeased(
        store,
        row,
        ctx.owner,
        { state: c, done, dueAt: Math.min(dueAt, c.deadline, nextSla), claims, documentType, appliedCancel, slaFlags: flags },
        now,
        !!project.webhook,
      );
      for (const t of done) log({ event: "case.transition", caseId: row.id, projectId: row.project_id, transition: t.event, from: t.from, to: t.to });
    } catch (error) {
      if (error instanceof LeaseLostError) log({ event: "case.lease_lost", caseId: row.id });
      else throw error;
    }
  }

  async function runCheck(row: CaseRow, project: ReviewProject, c: Case, step: (...e: CaseEvent[]) => Transitioned[]) {
    const out: { claims?: number; documentType?: DocumentType; retryIn?: number } = {};
    const projectId = BigInt(row.project_id);
    // The case is for one grant; a re-grant (new terms, a rotation) is another case.
    const g = await getGrant(ctx.publicClient, { recordId: row.record_id as Hex, grantee: projectGrantee(projectId), addresses: ctx.addresses });
    if (g.recordVersion !== row.record_version || BigInt(g.grantedAt) !== BigInt(row.granted_at)) {
      step({ type: "grant_revoked" });
      return out;
    }
    const keyId = project.reviewKeyId ?? reviewKeyId(projectId, 1);
    const agreement = await ctx.keyStore.agreement(keyId);
    if (!agreement) throw new ReviewKeyMissingError(keyId);
    let values: Record<string, string | Uint8Array>;
    try {
      values = await readRecord(ctx.publicClient, {
        recordId: row.record_id as Hex,
        storage: ctx.storage,
        via: { projectId },
        reader: ctx.attester.account.address,
        keyPair: agreement,
        addresses: ctx.addresses,
        indexer: { url: ctx.indexerUrl, apiKey: project.indexerApiKey },
      });
    } catch (error) {
      if (error instanceof RecordErasedError) step({ type: "record_erased" });
      else if (error instanceof GrantExpiredError) step({ type: "grant_expired" });
      else if (error instanceof GrantRevokedError || error instanceof StaleGrantError) step({ type: "grant_revoked" });
      else if (error instanceof ContentHashMismatchError || (error as BaseError).cause instanceof ContentHashMismatchError) {
        log({ event: "documents.hash_mismatch", caseId: row.id });
        if (c.status === "opened") step({ type: "documents_invalid" });
      } else if (error instanceof AccessDeniedError)
        throw error; // our reviewer lacks the role: retried, logged
      else throw error;
      return out;
    }
    const granted = grantedFromRecord(values);
    values = {};
    try {
      if (!granted.documentType || granted.documents.length === 0) {
        // Field names only (never values): says whether a document was absent or unreadable.
        log({ event: "documents.missing", caseId: row.id, invalid: granted.invalid.join(",") });
        if (c.status === "opened") step({ type: "documents_invalid" });
        return out;
      }
      out.claims = claimsFrom(granted, project, new Date());
      out.documentType = granted.documentType;
      if (c.status === "opened") step({ type: "documents_verified" });
      try {
        const r = await startCheck({
          rules: project.rules,
          providers: ctx.providers,
          breakers: ctx.breakers,
          reference: `${row.id}.${row.fence}`,
          documentType: granted.documentType,
          fields: granted.fields,
          documents: granted.documents,
        });
        step({ type: "check_started", provider: r.provider, applicantId: r.applicantId, checkId: r.checkId });
        log({ event: "check.started", caseId: row.id, provider: r.provider, attempts: r.attempts.map((a) => `${a.provider}:${a.outcome}`).join(",") });
      } catch (error) {
        log({ event: "check.failed", caseId: row.id, error: (error as Error).name });
        const d = step({ type: "providers_unavailable" });
        if (d.some((t) => t.effects.some((e) => e.type === "retry_check"))) out.retryIn = backoff(c.steps.provider.attempts);
      }
      return out;
    } finally {
      // Drop the plaintext as soon as it was sent: zero the document bytes we hold.
      for (const d of granted.documents) d.bytes.fill(0);
      granted.fields = {};
    }
  }

  async function awaitVerdict(
    row: CaseRow,
    project: ReviewProject,
    c: Case,
    step: (...e: CaseEvent[]) => Transitioned[],
    documentType: DocumentType,
  ): Promise<number | undefined> {
    const p = c.provider!;
    const [stored] = await store.query<{ status: Verdict["kind"]; reasons: Verdict["reasons"]; risk_labels: Verdict["riskLabels"] }>(
      "SELECT status, reasons, risk_labels FROM provider_result WHERE provider = $1 AND check_id = $2",
      [p.name, p.checkId],
    );
    let verdict: Verdict | undefined = stored && {
      kind: stored.status,
      reasons: stored.reasons,
      riskLabels: stored.risk_labels,
      provider: p.name,
      providerStatus: "",
    };
    if (!verdict) {
      // No callback yet (or it was lost): ask the provider.
      const adapter = ctx.providers[p.name];
      if (!adapter) return ctx.providerPollMs;
      try {
        const r = await adapter.fetchResult({ applicantId: p.applicantId, checkId: p.checkId });
        if (r.state === "completed") {
          verdict = normaliseOutcome(r.outcome);
          await storeVerdict(store, p.name, p.checkId, verdict, Date.now());
        }
      } catch (error) {
        log({ event: "provider.poll_failed", caseId: row.id, provider: p.name, error: (error as Error).name });
      }
    }
    if (!verdict) return undefined;
    const decision = decideCase(verdict, project.policy, documentType);
    step({ type: "provider_decided", checkId: p.checkId, decision, fourEyesFromLevel: project.policy.fourEyesFromLevel });
    return undefined;
  }

  let running = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  async function tick(limit: number) {
    const rows = await claimDue(store, ctx.owner, Date.now(), ctx.leaseMs, limit);
    await Promise.all(
      rows.map(async (row) => {
        try {
          await process(row);
        } catch (error) {
          // Our own errors carry ids and codes only; a database error's text names our SQL, not a value.
          log({
            event: "case.step_failed",
            caseId: row.id,
            error: (error as Error).name,
            reason: ((error as BaseError).shortMessage ?? (error as Error).message)?.slice(0, 160),
          });
          await releaseLease(store, row, ctx.owner, Date.now() + 2_000).catch(() => {});
        }
      }),
    );
    return rows.length;
  }

  return {
    process,
    tick,
    /** Runs until stop(): claims what is due, as many at once as `concurrency` allows. */
    start(intervalMs: number) {
      const loop = async () => {
        while (!stopped) {
          let n = 0;
          if (running < ctx.concurrency) {
            running++;
            try {
              n = await tick(ctx.concurrency);
            } catch (error) {
              log({ event: "worker.error", error: (error as Error).name });
            } finally {
              running--;
            }
          }
          if (n === 0 && !stopped)
            await new Promise<void>((r) => {
              wake = r;
              timer = setTimeout(r, intervalMs);
            });
        }
      };
      void loop();
    },
    kick() {
      wake?.();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await attesterQueue;
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
