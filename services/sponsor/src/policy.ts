// What a project sponsors and for whom. Read from a JSON file (bigints as decimal strings) or
// passed in code; checked once at start-up so a policy that cannot hold never runs.
import { readFileSync } from "node:fs";
import { BaseError } from "@onekey/sdk/errors";
import type { Caps } from "./store.ts";

/** What one project sponsors. Every field is optional; omitted = the default below. */
export interface ProjectPolicy {
  /**
   * Who is sponsored. "authorised" (default): a request carrying the project's API key with the
   * sponsor scope, or a ticket signed by one of its SPONSORs. "open": anyone, within the caps,
   * which must all be set: it costs an attacker nothing and the project up to those caps.
   */
  access?: "authorised" | "open";
  /** Functions sponsored, as "RecordRegistry.registerRecord"; default: all the paymaster allows. */
  methods?: string[];
  /** The period the caps below count over, in seconds (sliding). Default one day. */
  periodSeconds?: number;
  /** Sponsored operations per project per period; 0 = none. Default 0 ("open" needs it). */
  maxOpsPerProject?: number;
  /** Wei per project per period (each operation counts as the most it can be charged). "open" needs it. */
  maxWeiPerProject?: bigint;
  /** Sponsored operations per subject (the sender) per period; 0 = none. Default 100. */
  maxOpsPerSubject?: number;
  /** Wei per subject per period. Default: none. */
  maxWeiPerSubject?: bigint;
  /** Ceiling on what one ticket may allow, whatever its maxOps says. Default 100. */
  maxOpsPerTicket?: number;
  /** callGasLimit + verificationGasLimit + preVerificationGas ceiling. Default 3,000,000. */
  maxGasPerOp?: bigint;
  /** Ceiling on an operation's maxCost (wei), i.e. what it can reserve. Default: none. */
  maxCostWei?: bigint;
  /** Priority-fee ceiling (wei). Default: twice the node's suggestion. */
  maxPriorityFeePerGas?: bigint;
}

export interface SponsorPolicy {
  /** Per-project policies; when given, only these projects are sponsored. */
  projects?: Record<string, ProjectPolicy>;
  /** The policy of any project not listed (ignored when `projects` is given). */
  default?: ProjectPolicy;
  /** Seconds a signature stays valid (validUntil = latest block time + this). */
  validitySeconds: number;
}

export type EffectivePolicy = ProjectPolicy & Caps & Required<Pick<ProjectPolicy, "access" | "maxOpsPerTicket" | "maxGasPerOp">>;

export const POLICY_DEFAULTS = {
  access: "authorised" as const,
  periodSeconds: 86_400,
  maxOpsPerProject: 0,
  maxOpsPerSubject: 100,
  maxOpsPerTicket: 100,
  maxGasPerOp: 3_000_000n,
};

export class InvalidPolicyError extends BaseError {
  override name = "InvalidPolicyError";
  constructor(message: string) {
    super(`Invalid sponsor policy: ${message}.`, { docsPath: "paymaster.md#policies" });
  }
}

export function effectivePolicy(p: ProjectPolicy): EffectivePolicy {
  return { ...POLICY_DEFAULTS, ...p };
}

/** Refuses a policy that would let strangers spend without a bound. */
export function checkPolicy(policy: SponsorPolicy): void {
  const all = [...Object.entries(policy.projects ?? {}), ...(policy.default && !policy.projects ? [["default", policy.default] as const] : [])];
  for (const [name, raw] of all) {
    const p = effectivePolicy(raw);
    if (p.access !== "authorised" && p.access !== "open") throw new InvalidPolicyError(`project ${name}: access must be "authorised" or "open"`);
    if (!(p.periodSeconds > 0)) throw new InvalidPolicyError(`project ${name}: periodSeconds must be positive`);
    if (p.access === "open" && (!(p.maxOpsPerProject > 0) || p.maxWeiPerProject === undefined || !(p.maxOpsPerSubject > 0))) {
      throw new InvalidPolicyError(
        `project ${name} is "open", so it needs maxOpsPerProject, maxWeiPerProject and maxOpsPerSubject: anyone can spend up to them`,
      );
    }
  }
}

/** Reads a policy file: JSON with bigint fields as decimal strings; its validitySeconds wins over the argument. */
export function loadPolicy(path: string | undefined, validitySeconds: number): SponsorPolicy {
  if (!path) return { validitySeconds };
  const raw = JSON.parse(readFileSync(path, "utf8")) as {
    projects?: Record<string, Record<string, unknown>>;
    default?: Record<string, unknown>;
    validitySeconds?: number;
  };
  const toPolicy = (p: Record<string, unknown>): ProjectPolicy => {
    const out = { ...p } as Record<string, unknown>;
    for (const key of ["maxGasPerOp", "maxCostWei", "maxPriorityFeePerGas", "maxWeiPerProject", "maxWeiPerSubject"]) {
      if (p[key] !== undefined) out[key] = BigInt(p[key] as string);
    }
    return out as ProjectPolicy;
  };
  const policy = {
    validitySeconds: raw.validitySeconds ?? validitySeconds,
    projects: raw.projects ? Object.fromEntries(Object.entries(raw.projects).map(([k, v]) => [k, toPolicy(v)])) : undefined,
    default: raw.default ? toPolicy(raw.default) : undefined,
  };
  checkPolicy(policy);
  return policy;
}
