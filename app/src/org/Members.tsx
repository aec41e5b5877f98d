// Members and roles: the indexer's member table, and grant / revoke of ADMIN, REVIEWER, AUDITOR,
// SPONSOR (role bits from the SDK). A REVIEWER also needs the project's review key in their
// browser (Keys: export the backup, import it there).
import { useState } from "react";
import { isAddress, getAddress } from "viem";
import { grantRoles, revokeRoles, Roles, type RoleName } from "@onekey/sdk/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useOneKey } from "../shell/OneKey.tsx";
import { useProject } from "./project.tsx";
import { connected } from "../shell/handle.ts";
import { InvalidInputError } from "./lib/errors.ts";
import { toggle } from "./lib/field-mask.ts";
import { Card, Problem, Status, useAction } from "./ui.tsx";

const ROLE_NAMES = Object.keys(Roles) as RoleName[];
export const rolesText = (mask: number) => ROLE_NAMES.filter((r) => mask & Roles[r]).join(", ") || "none";

export function Members() {
  const { indexer } = useOneKey();
  const { projectId, org } = useProject();
  const qc = useQueryClient();
  const members = useQuery({
    queryKey: ["members", projectId.toString()],
    queryFn: () =>
      indexer.graphql<{ members: { items: { account: string; roles: number }[] } }>(
        `query($p: BigInt!) { members(where: { projectId: $p }, orderBy: "account", limit: 500) { items { account roles } } }`,
        { p: projectId.toString() },
      ),
    refetchInterval: 2000,
  });
  const [account, setAccount] = useState("");
  const [chosen, setChosen] = useState<Set<RoleName>>(new Set(["REVIEWER"]));
  const change = useAction(async (grant: boolean) => {
    if (!isAddress(account.trim())) throw new InvalidInputError("account", "Enter the member's address (0x followed by 40 hex digits).");
    const roles = [...chosen].reduce((m, r) => m | Roles[r], 0);
    if (!roles) throw new InvalidInputError("roles", "Choose at least one role.");
    const h = connected(org);
    const p = { ...h.on, projectId, account: getAddress(account.trim()), roles };
    const r = grant ? await grantRoles(h.client, p) : await revokeRoles(h.client, p);
    await qc.invalidateQueries({ queryKey: ["members"] });
    return { ...r, grant };
  });
  const rows = members.data?.members.items.filter((m) => m.roles !== 0) ?? [];
  return (
    <>
      <Card title="Members">
        <table>
          <caption className="note">Accounts with a role in project {projectId.toString()} (from the indexer)</caption>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Roles</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.account}>
                <td>
                  <code>{m.account}</code>
                </td>
                <td>{rolesText(m.roles)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!rows.length && <p className="note">{members.isLoading ? "Loading…" : "No members indexed yet."}</p>}
        <Problem error={members.error} />
      </Card>
      <Card title="Grant or revoke roles">
        <form onSubmit={(e) => (e.preventDefault(), change.run(true))}>
          <label htmlFor="member-account">Member address</label>
          <input id="member-account" type="text" value={account} onChange={(e) => setAccount(e.target.value)} placeholder="0x…" />
          <fieldset>
            <legend>Roles</legend>
            {ROLE_NAMES.map((r) => (
              <label key={r} style={{ display: "inline-block", marginRight: "1rem" }}>
                <input type="checkbox" checked={chosen.has(r)} onChange={() => setChosen((s) => toggle(s, r))} /> {r}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={!org || change.pending}>
            Grant roles
          </button>
          <button type="button" className="danger" disabled={!org || change.pending} onClick={() => change.run(false)}>
            Revoke roles
          </button>
        </form>
        {change.pending && <Status>Sending…</Status>}
        {change.result && (
          <Status>
            {change.result.grant ? "Granted" : "Revoked"}. The account's roles are now: {rolesText(change.result.roles)}.
          </Status>
        )}
        <Problem error={change.error} />
      </Card>
    </>
  );
}
