// NODE-ONLY. The upload queue's store in a directory: <dir>/items/<hash>.bin (bytes) and
// <dir>/items/<hash>.json (state), written atomically (write, fsync, rename), and a lock file
// naming the owning process. Imported as its own module so a browser bundle never pulls node:fs.
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { UploadQueueLockedError } from "./errors.ts";
import type { QueueItemState, UploadQueueStore } from "./queue.ts";

const ITEM_FILE = /^(0x[0-9a-f]{64})\.json$/;

/** A queue store in `directory` (created if missing). One process at a time. */
export function fileQueueStore(directory: string): UploadQueueStore & { directory: string } {
  const items = join(directory, "items");
  const paths = (hash: Hex) => ({ json: join(items, `${hash}.json`), bin: join(items, `${hash}.bin`) });
  return {
    location: directory,
    directory,
    async lock() {
      await mkdir(items, { recursive: true });
      return acquireLock(directory);
    },
    load: () => loadStates(items),
    async add(state, data) {
      // Bytes first, then the state that points at them.
      await writeAtomic(paths(state.contentHash).bin, data);
      await writeAtomic(paths(state.contentHash).json, JSON.stringify(state));
    },
    saveState: (state) => writeAtomic(paths(state.contentHash).json, JSON.stringify(state)),
    loadData: async (hash) => new Uint8Array(await readFile(paths(hash).bin)),
    deleteData: (hash) => rm(paths(hash).bin, { force: true }),
  };
}

async function loadStates(items: string): Promise<QueueItemState[]> {
  const names = await readdir(items);
  const states: QueueItemState[] = [];
  for (const name of names) {
    const match = ITEM_FILE.exec(name);
    if (!match) continue;
    try {
      const state = JSON.parse(await readFile(join(items, name), "utf8")) as QueueItemState;
      if (state.contentHash === match[1]) states.push(state);
    } catch {
      // Writes are atomic (rename), so an unreadable file is foreign; leave it for a human.
    }
  }
  // Bytes whose state file was never written belong to an add() that never returned.
  const known = new Set(states.map((s) => s.contentHash));
  for (const name of names) {
    const bin = /^(0x[0-9a-f]{64})\.bin$/.exec(name);
    if (bin && !known.has(bin[1] as Hex)) await rm(join(items, name), { force: true });
  }
  return states.sort((a, b) => a.createdAt - b.createdAt);
}

/** Write, fsync, rename: a reader (or a crash) sees the old file or the new one, never half. */
async function writeAtomic(path: string, data: string | Uint8Array) {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  const fd = openSync(tmp, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  await rename(tmp, path);
}

/** One process per queue directory; a lock left by a dead process is taken over. */
function acquireLock(dir: string): () => void {
  const path = join(dir, "lock");
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, "utf8") === String(process.pid)) rmSync(path, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number(readFileSync(path, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new UploadQueueLockedError(dir, pid);
      rmSync(path, { force: true });
    }
  }
  throw new UploadQueueLockedError(dir, -1);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
