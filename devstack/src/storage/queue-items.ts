import { createHash } from "node:crypto";
import type { StorageTag } from "@onekey/sdk/storage";

/** Item `i` of a crash-test run: ~300 KB of bytes derived from the seed, tagged with seed and index. */
export function crashTestItem(seed: string, i: number): { data: Uint8Array; tags: StorageTag[] } {
  const blocks: Buffer[] = [];
  for (let b = 0; b < 9400; b++) blocks.push(createHash("sha256").update(`${seed}/${i}/${b}`).digest());
  return { data: new Uint8Array(Buffer.concat(blocks)), tags: [{ name: "OneKey-Crash-Test", value: `${seed}/${i}` }] };
}
