// Per-project routing: which providers may take a grant, in which order. Pure.
import { InvalidRulesError } from "../errors.ts";
import { DOCUMENT_TYPES, type DocumentType, type GrantedFields, type ProviderName } from "../providers/types.ts";

export type GrantedFieldName = keyof GrantedFields;

/**
 * Fields a provider cannot work without (Onfido's applicant needs first and last name; Sumsub's
 * idDoc metadata needs the issuing country). A grant lacking one skips that provider.
 */
export const PROVIDER_REQUIREMENTS: Record<ProviderName, readonly GrantedFieldName[]> = {
  sumsub: ["country"],
  onfido: ["firstName", "lastName"],
  veriff: [],
};

export type ProviderRule = {
  provider: ProviderName;
  enabled?: boolean;
  /** Higher goes first. */
  priority: number;
  /** Cost of one check in the project's currency's minor unit (cents). */
  costCents: number;
  documentTypes: DocumentType[];
  /** ISO alpha-3 allowlist. When set, the grant must carry the country field and it must be listed. */
  countries?: string[];
  excludedCountries?: string[];
  /** Extra fields this project wants present before using the provider. */
  requiredFields?: GrantedFieldName[];
};

export type ProjectRules = {
  /** "priority": priority, then cost; "cost": cost, then priority. Ties break on the name. */
  strategy?: "priority" | "cost";
  providers: ProviderRule[];
};

export type RoutingInput = {
  documentType: DocumentType;
  /** The grant's country (or the document's issuing country); undefined when not granted. */
  country?: string;
  /** Names of the fields the grant carries. */
  grantedFields: readonly GrantedFieldName[];
};

export type SkipReason = "disabled" | "document_type" | "country_not_granted" | "country_not_allowed" | "country_excluded" | "missing_field";

export type Routing = { candidates: ProviderName[]; skipped: { provider: ProviderName; reason: SkipReason; field?: GrantedFieldName }[] };

const PROVIDERS: readonly ProviderName[] = ["sumsub", "onfido", "veriff"];
const ALPHA3 = /^[A-Z]{3}$/;

export function validateRules(rules: ProjectRules): ProjectRules {
  if (!rules || !Array.isArray(rules.providers) || rules.providers.length === 0) throw new InvalidRulesError("at least one provider rule is needed");
  if (rules.strategy !== undefined && rules.strategy !== "priority" && rules.strategy !== "cost")
    throw new InvalidRulesError(`unknown strategy "${String(rules.strategy).slice(0, 32)}"`);
  const seen = new Set<string>();
  for (const r of rules.providers) {
    if (!PROVIDERS.includes(r.provider)) throw new InvalidRulesError(`unknown provider "${String(r.provider).slice(0, 32)}"`);
    if (seen.has(r.provider)) throw new InvalidRulesError(`provider ${r.provider} is listed twice`);
    seen.add(r.provider);
    if (!Number.isFinite(r.priority)) throw new InvalidRulesError(`${r.provider}: priority must be a number`);
    if (!Number.isInteger(r.costCents) || r.costCents < 0) throw new InvalidRulesError(`${r.provider}: costCents must be a non-negative integer`);
    if (!Array.isArray(r.documentTypes) || r.documentTypes.length === 0 || r.documentTypes.some((d) => !DOCUMENT_TYPES.includes(d)))
      throw new InvalidRulesError(`${r.provider}: documentTypes must list known document types`);
    for (const list of [r.countries, r.excludedCountries])
      if (list?.some((c) => !ALPHA3.test(c))) throw new InvalidRulesError(`${r.provider}: countries are ISO 3166-1 alpha-3 codes`);
  }
  return rules;
}

export function chooseProviders(rules: ProjectRules, input: RoutingInput): Routing {
  validateRules(rules);
  const granted = new Set(input.grantedFields);
  const country = input.country;
  const skipped: Routing["skipped"] = [];
  const ok: ProviderRule[] = [];
  for (const r of rules.providers) {
    if (r.enabled === false) skipped.push({ provider: r.provider, reason: "disabled" });
    else if (!r.documentTypes.includes(input.documentType)) skipped.push({ provider: r.provider, reason: "document_type" });
    else if (r.countries && !country) skipped.push({ provider: r.provider, reason: "country_not_granted" });
    else if (r.countries && !r.countries.includes(country!)) skipped.push({ provider: r.provider, reason: "country_not_allowed" });
    else if (r.excludedCountries && country && r.excludedCountries.includes(country)) skipped.push({ provider: r.provider, reason: "country_excluded" });
    else {
      const missing = [...PROVIDER_REQUIREMENTS[r.provider], ...(r.requiredFields ?? [])].find((f) => !granted.has(f));
      if (missing) skipped.push({ provider: r.provider, reason: "missing_field", field: missing });
      else ok.push(r);
    }
  }
  const byPriority = (a: ProviderRule, b: ProviderRule) => b.priority - a.priority;
  const byCost = (a: ProviderRule, b: ProviderRule) => a.costCents - b.costCents;
  const [first, second] = rules.strategy === "cost" ? [byCost, byPriority] : [byPriority, byCost];
  ok.sort((a, b) => first(a, b) || second(a, b) || a.provider.localeCompare(b.provider));
  return { candidates: ok.map((r) => r.provider), skipped };
}
