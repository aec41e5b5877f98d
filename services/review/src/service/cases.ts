// The case table's operations. Automated steps are written only by the instance holding a case's
// lease (claimDue -> save with the fence it was given); people's actions (claim, decide,
// reassign) lock the row, refuse while an automated step holds it, and bump the fence so a stale
// lease holder's write is dropped. Every transition is a row in case_transition and a webhook in
// the outbox, in the same transaction as the case itself.
import { randomBytes } from "node:crypto";
import { DEFAULT_LIMITS, openCase, transition, type Case, type CaseEvent, type CaseLimits, type Effect } from "../cases/state-machine.ts";
import type { DocumentType, ProviderName } from "../providers/types.ts";
import type { Sql, Store } from "../db/store.ts";
import type { ReviewProject } from "./config.ts";

export type CaseRow = {
  id: string;
  project_id: string;
  record_id: string;
  record_version: number;
  granted_at: string;
  subject: string;
  status: string;
  outcome: string | null;
  provider: ProviderName | null;
  provider_ref: string | null;
  state: Case;
  claims: string | null;
  document_type: DocumentType | null;
  opened_block: string;
  cancel: "grant_revoked" | "record_erased" | "grant_expired" | null;
  sla_flags: string[];
  due_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  fence: string;
  created_at: string;
  updated_at: string;
};

export const limitsOf = (p: ReviewProject | undefined): CaseLimits => ({ ...DEFAULT_LIMITS, ...p?.limits });

/** What a webhook, the API and the logs may say about a case: ids, statuses, codes, never a field. */
export function publicCase(row: CaseRow) {
  const c = row.state;
  return {
    id: row.id,
    projectId: row.project_id,
    recordId: row.record_id,
    recordVersion: row.record_version,
    subject: row.subject,
    status: c.status,
    outcome: c.outcome ?? null,
    reasons: c.reasons,
    provider: c.provider ? { name: c.provider.name, checkId: c.provider.checkId } : null,
    proposedLevel: c.proposedLevel ?? null,
    level: c.level ?? null,
    fourEyesFromLevel: c.fourEyesFromLevel ?? null,
    assignee: c.assignee ?? null,
    reviews: c.reviews.map((r) => ({ reviewer: r.reviewer, decision: r.decision, level: r.level ?? null, at: r.at })),
    conflict: c.conflict ?? false,
    attestationTx: c.attestationTx ?? null,
    steps: c.steps,
    slaBreached: row.sla_flags,
    openedAt: c.openedAt,
    updatedAt: c.updatedAt,
    deadline: c.deadline,
  };
}

export type Transitioned = { event: string; actor?: string; from: string; to: string; emit: string[]; effects: Effect[] };

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

/** Applies events in order to a case; duplicates are skipped. Throws InvalidTransitionError. */
export function applyAll(initial: Case, events: (CaseEvent & { actor?: string })[], now: number, limits: CaseLimits) {
  let c = initial;
  const done: Transitioned[] = [];
  for (const { actor, ...event } of events) {
    const r = transition(c, event as CaseEvent, now, limits);
    if (r.duplicate) continue;
    done.push({
      event: event.type,
      actor,
      from: c.status,
      to: r.case.status,
      emit: r.effects.flatMap((e) => (e.type === "emit" ? [e.event] : e.type === "request_resubmission" ? ["case.resubmission_requested"] : [])),
      effects: r.effects,
    });
    c = r.case;
  }
  return { case: c, done };
}

/** Writes transitions and their webhooks (one per transition; the machine's event name when it has one). */
export async function record(
  sql: Sql,
  row: Pick<CaseRow, "id" | "project_id">,
  pub: ReturnType<typeof publicCase>,
  done: Transitioned[],
  now: number,
  webhookOn: boolean,
) {
  if (done.length === 0) return;
  const [{ n }] = await sql.query<{ n: number }>("SELECT count(*)::int AS n FROM case_transition WHERE case_id = $1", [row.id]);
  let seq = n;
  for (const t of done) {
    seq += 1;
    await sql.query("INSERT INTO case_transition (case_id, seq, at, event, actor, from_status, to_status) VALUES ($1,$2,$3,$4,$5,$6,$7)", [
      row.id,
      seq,
      now,
      t.event,
      t.actor ?? null,
      t.from,
      t.to,
    ]);
    const types = t.emit.length ? t.emit : [`case.${t.event}`];
    for (const type of types) {
      const id = newId("msg");
      const body = JSON.stringify({
        id,
        type,
        timestamp: new Date(now).toISOString(),
        data: { ...pub, transition: { seq, event: t.event, from: t.from, to: t.to, actor: t.actor ?? null } },
      });
      await sql.query("INSERT INTO outbox (id, project_id, case_id, type, body, created_at, next_at, status) VALUES ($1,$2,$3,$4,$5,$6,$6,$7)", [
        id,
        row.project_id,
        row.id,
        type,
        body,
        now,
        webhookOn ? "pending" : "no_endpoint",
      ]);
    }
  }
}

export type OpenCaseInput = { projectId: bigint; recordId: string; recordVersion: number; grantedAt: bigint; subject: string; openedBlock: bigint };

/** Opens a case for a grant unless one exists for that very grant. Returns the new row or undefined. */
export async function insertCase(store: Store, project: ReviewProject, input: OpenCaseInput, now: number): Promise<CaseRow | undefined> {
  const id = newId("case");
  const limits = limitsOf(project);
  const opened = openCase(id, now, limits);
  return store.transaction(async (sql) => {
    const [row] = await sql.query<CaseRow>(
      `INSERT INTO review_case (id, project_id, record_id, record_version, granted_at, subject, status, state, opened_block, due_at, created_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10,$10)
       ON CONFLICT (project_id, record_id, record_version, granted_at) DO NOTHING RETURNING *`,
      [
        id,
        input.projectId.toString(),
        input.recordId.toLowerCase(),
        input.recordVersion,
        input.grantedAt.toString(),
        input.subject.toLowerCase(),
        opened.case.status,
        JSON.stringify(opened.case),
        input.openedBlock.toString(),
        now,
      ],
    );
    if (!row) return undefined;
    await record(
      sql,
      row,
      publicCase(row),
      [{ event: "opened", from: "opened", to: "opened", emit: ["case.opened"], effects: opened.effects }],
      now,
      !!project.webhook,
    );
    return row;
  });
}

/** Asks the lease holder to cancel the open cases of a record (all, or all but one grant's). */
export async function requestCancel(
  store: Store,
  projectId: bigint,
  recordId: string,
  why: NonNullable<CaseRow["cancel"]>,
  now: number,
  keep?: { recordVersion: number; grantedAt: bigint },
) {
  return store.query<{ id: string }>(
    `UPDATE review_case SET cancel = $3, due_at = $4 WHERE project_id = $1 AND record_id = $2 AND status <> 'closed'
       AND ($5::int IS NULL OR NOT (record_version = $5::int AND granted_at = $6::bigint)) RETURNING id`,
    [projectId.toString(), recordId.toLowerCase(), why, now, keep?.recordVersion ?? null, keep?.grantedAt.toString() ?? null],
  );
}

/** Claims up to `limit` due cases into this instance's lease (each with a fresh fence). */
export async function claimDue(store: Store, owner: string, now: number, leaseMs: number, limit: number): Promise<CaseRow[]> {
  return store.query<CaseRow>(
    `UPDATE review_case SET lease_owner = $1, lease_until = $2, fence = fence + 1
     WHERE id IN (
       SELECT id FROM review_case
       WHERE status <> 'closed' AND due_at <= $3 AND (lease_until IS NULL OR lease_until < $3)
       ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [owner, now + leaseMs, now, limit],
  );
}

export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

export type SaveChanges = {
  state: Case;
  done: Transitioned[];
  dueAt: number;
  claims?: number;
  documentType?: DocumentType;
  appliedCancel?: string;
  slaFlags?: string[];
};

/** Persists the lease holder's work; a stale fence (the lease moved on) changes nothing and throws. */
export async function saveLeased(store: Store, row: CaseRow, owner: string, ch: SaveChanges, now: number, webhookOn: boolean): Promise<CaseRow> {
  return store.transaction(async (sql) => {
    const [saved] = await sql.query<CaseRow>(
      `UPDATE review_case SET status = $4, outcome = $5, provider = $6, provider_ref = $7, state = $8,
         claims = coalesce($9::bigint, claims), document_type = coalesce($10::text, document_type),
         cancel = CASE WHEN cancel = $11::text THEN NULL ELSE cancel END, sla_flags = coalesce($12::jsonb, sla_flags),
         due_at = CASE WHEN cancel IS NOT NULL AND cancel <> coalesce($11::text, '') THEN $14::bigint
                       -- a callback that landed while this step ran: its verdict is applied at once
                       WHEN $4::text = 'checking' AND EXISTS (SELECT 1 FROM provider_result r WHERE r.provider = $6 AND r.check_id = $7) THEN $14::bigint
                       ELSE $13::bigint END,
         lease_owner = NULL, lease_until = NULL, updated_at = $14::bigint
       WHERE id = $1 AND fence = $2 AND lease_owner = $3 RETURNING *`,
      [
        row.id,
        row.fence,
        owner,
        ch.state.status,
        ch.state.outcome ?? null,
        ch.state.provider?.name ?? null,
        ch.state.provider?.checkId ?? null,
        JSON.stringify(ch.state),
        ch.claims ?? null,
        ch.documentType ?? null,
        ch.appliedCancel ?? null,
        ch.slaFlags ? JSON.stringify(ch.slaFlags) : null,
        ch.dueAt,
        now,
      ],
    );
    if (!saved) throw new LeaseLostError(`case ${row.id}: the lease moved to another instance; this instance's step is dropped`);
    await record(sql, saved, publicCase(saved), ch.done, now, webhookOn);
    return saved;
  });
}

/** Gives a case back without changes (an unexpected error): retried at `dueAt`. */
export async function releaseLease(store: Store, row: CaseRow, owner: string, dueAt: number) {
  await store.query("UPDATE review_case SET lease_owner = NULL, lease_until = NULL, due_at = $4 WHERE id = $1 AND fence = $2 AND lease_owner = $3", [
    row.id,
    row.fence,
    owner,
    dueAt,
  ]);
}
