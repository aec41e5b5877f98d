// The GraphQL response cache against a real indexer: a repeat is served from the cache, a new
// block's rows show up the moment the indexer has them, a reorg never leaves an answer from the
// abandoned chain, and entries are per API-key project. "Fresh" answers come from the same query
// under another operation name: a different cache key, so always executed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addApiKey, attest, createProject, send } from "./helpers/onekey.ts";
import { ALL_API_KEY_SCOPES, Roles } from "@onekey/sdk/contracts";
import { eventually, indexedBlock, keyAccepted, removeDir, startChain, startIndexer, type Chain31337, type Indexer } from "./helpers/stack.ts";

let chain: Chain31337;
let indexer: Indexer;
let projectId: bigint;
let key: string;
let otherKey: string;

const query = (name: string) =>
  `query ${name}($p: BigInt!) { attestations(where: { projectId: $p }, orderBy: "subject", limit: 100) { items { subject level } } }`;

async function ask(name = "Cached", apiKey = key) {
  const res = await fetch(`${indexer.url}/graphql`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ query: query(name), variables: { p: projectId.toString() } }),
  });
  const body = (await res.json()) as { data: { attestations: { items: { subject: string }[] } } };
  return { status: res.status, cache: res.headers.get("x-onekey-cache"), subjects: body.data.attestations.items.map((i) => i.subject) };
}

let fresh = 0;
const freshAnswer = () => ask(`Fresh${fresh++}`);

beforeAll(async () => {
  chain = await startChain();
  indexer = await startIndexer({ chain, env: { ONEKEY_RATE_LIMIT_KEY: "100000,100000", ONEKEY_RATE_LIMIT_PROJECT: "100000,100000" } });
  const [admin, reviewer] = chain.wallets;
  projectId = await createProject(chain, admin);
  key = await addApiKey(chain, admin, projectId, ALL_API_KEY_SCOPES);
  const other = await createProject(chain, admin);
  otherKey = await addApiKey(chain, admin, other, ALL_API_KEY_SCOPES);
  await send(chain, admin, "projectRegistry", "grantRoles", [projectId, reviewer.account.address, Roles.REVIEWER]);
  await keyAccepted(indexer, key, projectId);
  await keyAccepted(indexer, otherKey, other);
});

afterAll(async () => {
  await indexer?.stop();
  await chain?.stop();
  removeDir(indexer?.pgliteDir);
});

describe("GraphQL response cache", () => {
  it("serves a repeat from the cache, per project of the key", async () => {
    // A head that holds still (setup blocks may still be indexing).
    const head = Number(await chain.publicClient.getBlockNumber());
    await eventually("the setup blocks indexed", async () => (await indexedBlock(indexer)) >= head);
    const first = await ask();
    const second = await ask();
    expect(second.cache).toBe("hit");
    expect(second.subjects).toEqual(first.subjects);
    // Same document and variables, another project's key: its own entry.
    expect((await ask("Cached", otherKey)).cache).toBe("miss");
  });

  it("shows a new block's rows as soon as the indexer has them", async () => {
    const [, reviewer] = chain.wallets;
    const before = await ask();
    const subject = chain.wallets[5].account.address.toLowerCase() as `0x${string}`;
    const receipt = await attest(chain, reviewer, projectId, subject, 2);
    await eventually("the block indexed", async () => (await indexedBlock(indexer)) >= Number(receipt.blockNumber));
    const after = await ask();
    expect(before.subjects).not.toContain(subject);
    expect(after.subjects).toContain(subject);
    expect(after.subjects).toEqual((await freshAnswer()).subjects);
    expect((await ask()).cache).toBe("hit");
  });

  it("drops an answer whose rows a reorg took away", async () => {
    const [, reviewer] = chain.wallets;
    const subject = chain.wallets[6].account.address.toLowerCase() as `0x${string}`;
    const receipt = await attest(chain, reviewer, projectId, subject, 1);
    await eventually("the block indexed", async () => (await indexedBlock(indexer)) >= Number(receipt.blockNumber));
    expect((await ask()).subjects).toContain(subject);
    expect((await ask()).cache).toBe("hit");
    // Replace the attestation's block with an empty one at the same height.
    await chain.publicClient.request<{ Parameters: [number, unknown[]]; ReturnType: null }>({ method: "anvil_reorg", params: [1, []] });
    await chain.publicClient.request<{ Parameters: unknown[]; ReturnType: unknown }>({ method: "evm_mine", params: [] });
    await eventually("the reorged rows to leave the cached answer", async () => !(await ask()).subjects.includes(subject), 20_000);
    // And from then on the cache agrees with a fresh execution.
    for (let i = 0; i < 5; i++) expect((await ask()).subjects).toEqual((await freshAnswer()).subjects);
  });
});
