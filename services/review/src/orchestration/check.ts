// Starting a provider check for one grant: route by the project's rules, then create + submit on
// the first provider that takes it. The granted fields and documents are in memory only here;
// what comes back (provider, its ids, the attempt trail) is what the case store may keep.
import { NoProviderAvailableError } from "../errors.ts";
import type { DocumentType, GrantedDocument, GrantedFields, KycProvider, ProviderName } from "../providers/types.ts";
import type { BreakerConfig } from "./breaker.ts";
import { runWithFallback, type Attempt, type BreakerStore } from "./fallback.ts";
import { chooseProviders, type GrantedFieldName, type ProjectRules, type Routing } from "./rules.ts";

export type StartCheckParameters = {
  rules: ProjectRules;
  providers: Partial<Record<ProviderName, KycProvider>>;
  breakers: BreakerStore;
  breaker?: BreakerConfig;
  /** Our case reference, sent to the provider as its external id (never personal data). */
  reference: string;
  documentType: DocumentType;
  fields: GrantedFields;
  documents: GrantedDocument[];
  now?: () => number;
};

export type StartCheckReturnType = { provider: ProviderName; applicantId: string; checkId: string; attempts: Attempt[]; skipped: Routing["skipped"] };

export async function startCheck(p: StartCheckParameters): Promise<StartCheckReturnType> {
  const country = p.fields.country ?? p.documents.find((d) => d.country)?.country;
  // A document's issuing country is granted with the document, so it counts as the country field.
  const grantedFields = (Object.keys(p.fields) as GrantedFieldName[]).filter((k) => p.fields[k] !== undefined && p.fields[k] !== "");
  if (country && !grantedFields.includes("country")) grantedFields.push("country");
  const routing = chooseProviders(p.rules, { documentType: p.documentType, country, grantedFields });
  // A rule naming a provider this deployment has no credentials for is skipped, not fatal.
  const candidates = routing.candidates.filter((c) => p.providers[c]);
  if (candidates.length === 0) throw new NoProviderAvailableError([]);
  const documents = p.documents.map((d) => ({ ...d, country: d.country ?? country }));
  const { provider, value, attempts } = await runWithFallback({
    candidates,
    breakers: p.breakers,
    breaker: p.breaker,
    now: p.now,
    attempt: async (name) => {
      const adapter = p.providers[name]!;
      const { applicantId } = await adapter.createApplicant({ reference: p.reference, fields: p.fields, documentType: p.documentType, country });
      const { checkId } = await adapter.submit({ applicantId, documents });
      return { applicantId, checkId };
    },
  });
  return { provider, ...value, attempts, skipped: routing.skipped };
}
