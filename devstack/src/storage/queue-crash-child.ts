// Child process for the upload queue's crash test: queues deterministic items against arlocal,
// prints "done <hash>" per stored item, and is SIGKILLed by the test part-way through.
// Usage: node queue-crash-child.ts <queueDir> <arlocalUrl> <walletJsonPath> <count> <seed>
import { readFileSync } from "node:fs";
import { arweaveStorage, fileQueueStore, openUploadQueue } from "@onekey/sdk/storage";
import { crashTestItem } from "./queue-items.ts";

const [dir, url, walletPath, count, seed] = process.argv.slice(2);
const storage = arweaveStorage({ url, wallet: JSON.parse(readFileSync(walletPath, "utf8")), mine: true });
const queue = await openUploadQueue({
  storage,
  store: fileQueueStore(dir),
  concurrency: 1,
  onEvent: (e) => {
    if (e.type === "done") process.stdout.write(`done ${e.contentHash}\n`);
  },
});
for (let i = 0; i < Number(count); i++) {
  const { data, tags } = crashTestItem(seed, i);
  await queue.enqueue(data, tags);
}
process.stdout.write("queued\n");
await queue.drain();
process.stdout.write("drained\n");
