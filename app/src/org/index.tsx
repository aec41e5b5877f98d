// The organisation's console: projects, members and roles, keys, API keys, webhooks, sponsorship,
// analytics, reviews, the audit log and a GraphQL explorer. Everything secret is made and kept in
// this browser (review/escrow private keys, the raw API keys it shows once); the chain gets
// hashes and public keys, the indexer gets the API key in a header.
import { lazy, Suspense, useState } from "react";
import { NavLink, Route, Routes, useNavigate, useParams } from "react-router";
import { createProject, projectsOf } from "@onekey/sdk/contracts";
import { useQuery } from "@tanstack/react-query";
import { useOneKey } from "../shell/OneKey.tsx";
import { connected } from "../shell/handle.ts";
import { ProjectProvider, useOrgClient } from "./project.tsx";
import { Card, Problem, useAction } from "./ui.tsx";
import { Overview } from "./Overview.tsx";
import { Members } from "./Members.tsx";
import { Keys } from "./Keys.tsx";
import { ApiKeys } from "./ApiKeys.tsx";
import { Webhooks } from "./Webhooks.tsx";
import { Sponsorship } from "./Sponsorship.tsx";
import { Analytics } from "./Analytics.tsx";
import { Reviews } from "./Reviews.tsx";
import { Audit } from "./Audit.tsx";
import "./org.css";

// GraphiQL is large: loaded only when the explorer opens.
const Explorer = lazy(() => import("./Explorer.tsx"));

export default function OrgConsole() {
  return (
    <Routes>
      <Route index element={<OrgHome />} />
      <Route path="p/:projectId/*" element={<ProjectConsole />} />
    </Routes>
  );
}

export function ConnectOrg() {
  const { connectors, connect } = useOneKey();
  const action = useAction(connect);
  return (
    <Card title="Connect the organisation's wallet">
      <p className="note">Project changes are sent from this wallet, which pays their gas. Secrets made here stay in this browser.</p>
      {connectors.map((c) => (
        <div key={c.id}>
          <button type="button" onClick={() => action.run(c.id)} disabled={action.pending}>
            Connect {c.label}
          </button>
          <span className="note"> {c.description}</span>
        </div>
      ))}
      <Problem error={action.error} />
    </Card>
  );
}

function OrgHome() {
  const { wallet, publicClient, network, indexer } = useOneKey();
  const org = useOrgClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [openId, setOpenId] = useState("");
  const mine = useQuery({
    queryKey: ["org-projects", network.chainId, wallet?.address],
    enabled: !!wallet,
    // Projects where the wallet holds a role (on-chain `projectsOf`: explicit roles only) and those it
    // is the admin of (the indexer's public projects table; the admin holds no explicit role).
    queryFn: async () => {
      const [members, admined] = await Promise.all([
        projectsOf(publicClient, { account: wallet!.address, addresses: network.addresses }),
        indexer
          .graphql<{ projects: { items: { id: string }[] } }>(
            // The address comes from the wallet (checked hex), so it is safe inline.
            `{ projects(where: { admin: "${wallet!.address.toLowerCase()}" }, limit: 200, orderBy: "id", orderDirection: "asc") { items { id } } }`,
          )
          .then((d) => d.projects.items.map((p) => BigInt(p.id)))
          .catch(() => [] as bigint[]),
      ]);
      return [...new Set([...members, ...admined].map(String))].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
    // Live: a project made elsewhere (the demo, a colleague) appears without a reload.
    refetchInterval: 3000,
  });
  const create = useAction(async () => {
    const metadataURI = name.trim() ? `data:application/json,${encodeURIComponent(JSON.stringify({ name: name.trim() }))}` : "";
    const h = connected(org);
    const r = await createProject(h.client, { ...h.on, metadataURI });
    navigate(`/org/p/${r.projectId}`);
    return r;
  });
  if (!wallet) return <ConnectOrg />;
  return (
    <>
      <Card title="Create a project">
        <form onSubmit={(e) => (e.preventDefault(), create.run())}>
          <label htmlFor="project-name">Project name (public, on-chain)</label>
          <input id="project-name" type="text" value={name} onChange={(e) => setName(e.target.value)} />
          <div>
            <button type="submit" disabled={create.pending}>
              {create.pending ? "Creating…" : "Create project"}
            </button>
          </div>
        </form>
        <Problem error={create.error} />
      </Card>
      <Card title="Your projects">
        {mine.data?.length ? (
          <ul>
            {mine.data.map((id) => (
              <li key={id.toString()}>
                <NavLink to={`/org/p/${id}`}>Project {id.toString()}</NavLink>
              </li>
            ))}
          </ul>
        ) : (
          <p className="note">{mine.isLoading ? "Loading…" : "This wallet is not a member of any project yet."}</p>
        )}
        <form onSubmit={(e) => (e.preventDefault(), /^\d+$/.test(openId) && navigate(`/org/p/${openId}`))}>
          <label htmlFor="open-project">Open a project by id</label>
          <input id="open-project" type="text" inputMode="numeric" value={openId} onChange={(e) => setOpenId(e.target.value)} />
          <button type="submit">Open</button>
        </form>
        <Problem error={mine.error} />
      </Card>
    </>
  );
}

const SECTIONS = [
  ["", "Overview"],
  ["members", "Members"],
  ["keys", "Keys"],
  ["api-keys", "API keys"],
  ["webhooks", "Webhooks"],
  ["sponsorship", "Sponsorship"],
  ["analytics", "Analytics"],
  ["reviews", "Reviews"],
  ["audit", "Audit"],
  ["graphql", "GraphQL"],
] as const;

function ProjectConsole() {
  const { projectId } = useParams();
  const { wallet } = useOneKey();
  if (!projectId || !/^\d{1,78}$/.test(projectId)) return <p role="alert">“{projectId}” is not a project id.</p>;
  const id = BigInt(projectId);
  return (
    <ProjectProvider projectId={id}>
      <h1>Project {projectId}</h1>
      <nav aria-label="Project" className="subnav">
        {SECTIONS.map(([path, label]) => (
          <NavLink key={path} to={`/org/p/${projectId}/${path}`} end={path === ""}>
            {label}
          </NavLink>
        ))}
      </nav>
      {!wallet && <ConnectOrg />}
      <Routes>
        <Route index element={<Overview />} />
        <Route path="members" element={<Members />} />
        <Route path="keys" element={<Keys />} />
        <Route path="api-keys" element={<ApiKeys />} />
        <Route path="webhooks" element={<Webhooks />} />
        <Route path="sponsorship" element={<Sponsorship />} />
        <Route path="analytics" element={<Analytics />} />
        <Route path="reviews" element={<Reviews />} />
        <Route path="audit" element={<Audit />} />
        <Route
          path="graphql"
          element={
            <Suspense fallback={<p aria-busy="true">Loading the explorer…</p>}>
              <Explorer />
            </Suspense>
          }
        />
      </Routes>
    </ProjectProvider>
  );
}
