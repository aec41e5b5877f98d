// API keys: made here, shown once, only the keccak256 hash registered on-chain with its scopes and
// expiry; listed from the indexer; revoked on-chain.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApiKeyScopeName } from "@onekey/sdk/contracts";
import type { Hex } from "viem";
import { useOneKey } from "../shell/OneKey.tsx";
import { useProject } from "./project.tsx";
import { connected } from "../shell/handle.ts";
import { apiKeyScopeNames, createApiKey, expiryFromDate, revokeKey, SCOPE_HELP, SCOPE_NAMES } from "./lib/api-keys.ts";
import { toggle } from "./lib/field-mask.ts";
import { Card, Problem, Status, shortHex, useAction, when } from "./ui.tsx";

const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString().slice(0, 10);

export function ApiKeys() {
  const { indexer } = useOneKey();
  const { projectId, org, setApiKey, apiKey } = useProject();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ["api-keys", projectId.toString()],
    queryFn: () =>
      indexer.graphql<{ apiKeys: { items: { keyHash: Hex; scopes: number; expiry: string; revoked: boolean }[] } }>(
        `query($p: BigInt!) { apiKeys(where: { projectId: $p }, orderBy: "addedAt", limit: 500) { items { keyHash scopes expiry revoked } } }`,
        { p: projectId.toString() },
      ),
    refetchInterval: 2000,
  });
  const [scopes, setScopes] = useState<Set<ApiKeyScopeName>>(new Set(["read", "analytics", "audit", "webhooks"]));
  const [expiry, setExpiry] = useState(inDays(90));
  const create = useAction(async () => {
    const r = await createApiKey(connected(org), { projectId, scopes: [...scopes], expiry: expiryFromDate(expiry) });
    await qc.invalidateQueries({ queryKey: ["api-keys"] });
    return r;
  });
  const revoke = useAction(async (keyHash: Hex) => {
    await revokeKey(connected(org), { projectId, keyHash });
    await qc.invalidateQueries({ queryKey: ["api-keys"] });
  });
  const [shown, setShown] = useState(true);
  return (
    <>
      <Card title="Create an API key">
        <form onSubmit={(e) => (e.preventDefault(), setShown(true), create.run())}>
          <fieldset>
            <legend>Scopes</legend>
            {SCOPE_NAMES.map((s) => (
              <label key={s}>
                <input type="checkbox" checked={scopes.has(s)} onChange={() => setScopes((x) => toggle(x, s))} /> {s}{" "}
                <span className="note">— {SCOPE_HELP[s]}</span>
              </label>
            ))}
          </fieldset>
          <label htmlFor="api-key-expiry">Expires at the end of</label>
          <input id="api-key-expiry" type="date" value={expiry} onChange={(e) => setExpiry(e.target.value)} />
          <div>
            <button type="submit" disabled={!org || create.pending}>
              Create API key
            </button>
          </div>
        </form>
        {create.pending && <Status>Registering the key's hash on-chain…</Status>}
        <Problem error={create.error} />
        {create.result && shown && (
          <section className="card" aria-label="API key created">
            <p>
              <strong>Copy this key now: it is shown once.</strong> Only its hash <code>{shortHex(create.result.keyHash)}</code> is on-chain.
            </p>
            <label htmlFor="new-api-key">New API key</label>
            <input id="new-api-key" type="text" readOnly value={create.result.key} onFocus={(e) => e.currentTarget.select()} />
            <div>
              <button type="button" onClick={() => navigator.clipboard?.writeText(create.result!.key).catch(() => undefined)}>
                Copy
              </button>
              <button type="button" className="secondary" onClick={() => setApiKey(create.result!.key)} disabled={apiKey === create.result.key}>
                {apiKey === create.result.key ? "Used by this console" : "Use this key in this console"}
              </button>
              <button type="button" className="secondary" onClick={() => setShown(false)}>
                I have copied it
              </button>
            </div>
          </section>
        )}
      </Card>
      <Card title="API keys">
        <table>
          <thead>
            <tr>
              <th scope="col">Key hash</th>
              <th scope="col">Scopes</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.apiKeys.items.map((k) => {
              const expired = Number(k.expiry) * 1000 < Date.now();
              return (
                <tr key={k.keyHash}>
                  <td>
                    <code>{shortHex(k.keyHash)}</code>
                  </td>
                  <td>{apiKeyScopeNames(k.scopes).join(", ")}</td>
                  <td>{when(k.expiry)}</td>
                  <td>{k.revoked ? "revoked" : expired ? "expired" : "live"}</td>
                  <td>
                    {!k.revoked && (
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Revoke key ${shortHex(k.keyHash)}`}
                        disabled={!org || revoke.pending}
                        onClick={() => revoke.run(k.keyHash)}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <Problem error={list.error ?? revoke.error} />
      </Card>
    </>
  );
}
