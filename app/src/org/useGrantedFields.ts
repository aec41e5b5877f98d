// Opening a record's granted fields in this browser with the project's review key (both review
// screens use it): the key from this browser's key store, the storage id and wrapped key through
// the project's indexer connection (else the chain's logs from where the network says they
// start), the bundle's hash checked against the chain, only the granted fields decrypted. The
// values live in the calling component only: unmounting (or `clear`) drops them.
import { useEffect, useState } from "react";
import { getProject } from "@onekey/sdk/contracts";
import type { FieldValue } from "@onekey/sdk/crypto";
import { useOneKey } from "../shell/OneKey.tsx";
import { connected } from "../shell/handle.ts";
import { useProject } from "./project.tsx";
import { orgKeyStore } from "./Keys.tsx";
import { projectKeyAgreement } from "./lib/keys.ts";
import { ReviewKeyMissingError } from "./lib/errors.ts";
import { openForReview } from "./lib/reviews.ts";
import { useAction } from "./ui.tsx";

export function useGrantedFields(recordId: `0x${string}`) {
  const { publicClient, network, storage } = useOneKey();
  const { projectId, org, conn } = useProject();
  const [fields, setFields] = useState<Record<string, FieldValue>>();
  const open = useAction(async () => {
    const p = await getProject(publicClient, { projectId, addresses: network.addresses });
    const key = await projectKeyAgreement(orgKeyStore(), { kind: "review", chainId: network.chainId, projectId, publicKey: p.reviewKey });
    if (!key) throw new ReviewKeyMissingError(projectId, p.reviewKeyVersion);
    const source = conn ? { indexer: { url: conn.url, apiKey: conn.apiKey } } : { fromBlock: network.fromBlock };
    const values = await openForReview(connected(org), { projectId, recordId, storage: await storage(), reviewKey: key, ...source });
    setFields(values);
    return values;
  });
  useEffect(() => () => setFields(undefined), []);
  return { fields, open, clear: () => setFields(undefined), canOpen: Boolean(org) };
}
