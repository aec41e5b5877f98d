import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlData } from "./helpers/onekey.ts";
import { runScenario, type Scenario } from "./helpers/scenario.ts";
import { eventually, removeDir, startChain, startIndexer, type Chain31337, type Indexer } from "./helpers/stack.ts";

let chain: Chain31337;
let indexer: Indexer;
let s: Scenario;

beforeAll(async () => {
  chain = await startChain();
  indexer = await startIndexer({ chain });
  s = await runScenario(chain);
  const head = await chain.publicClient.getBlockNumber();
  await eventually("indexer to reach the chain head", async () => {
    const status = (await (await fetch(`${indexer.url}/status`)).json()) as Record<string, { block: { number: number } }>;
    return Object.values(status)[0]?.block.number >= Number(head);
  });
});

afterAll(async () => {
  await indexer?.stop();
  await chain?.stop();
  removeDir(indexer?.pgliteDir);
});

describe("GraphQL", () => {
  it("smoke", async () => {
    const data = await gqlData(indexer.url, s.key, `{ projects { items { id admin metadataURI } } }`);
    console.log(JSON.stringify(data));
    expect(data.projects.items.length).toBe(2);
  });
});
