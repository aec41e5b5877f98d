// The local stack's promises (scripts/stack, scripts/start.ts): clear errors for a port in use, a
// child that exits, a missing prerequisite; a restart resumes the saved chain (and the indexer
// shows it without a new transaction) or starts clean with no rows from the old chain; Ctrl-C on
// `npm start` stops every child and frees every port. Real processes on free 127.0.0.1 ports,
// each stack in its own temporary data dir.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { loadStackConfig, PORT_ENV_NAMES, type StackConfig, type StackPorts } from "../../scripts/stack/config.ts";
import { ignitionDeploymentId, PortInUseError, startStack, type Stack, type StackInfo } from "../../scripts/stack/index.ts";
import { findMissing, MissingPrerequisitesError, preflight, stackPrerequisites } from "../../scripts/stack/preflight.ts";
import { portInUse, waitFor } from "../../scripts/lib/ports.ts";
import { ServiceExitedError, ServiceNotReadyError, startService } from "../../scripts/lib/service.ts";
import { addApiKey, apiKeyHash, ApiKeyScopes, createProject, getProject, getProjectCount } from "@onekey/sdk/contracts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** A fresh data dir (and the Ignition journal its deployment id names), removed by `cleanup`. */
function tempDataDir(label: string): { dataDir: string; cleanup(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), `onekey-stack-${label}-`));
  return {
    dataDir,
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(join(ROOT, "ignition", "deployments", ignitionDeploymentId(dataDir)), { recursive: true, force: true });
    },
  };
}

/** Listens on 127.0.0.1 (a free port unless given), accepting connections and never answering. */
async function holdPort(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The ports of `ports` that something still listens on. */
async function busy(ports: StackPorts | number[]): Promise<number[]> {
  const list = Array.isArray(ports) ? ports : Object.values(ports);
  return (await Promise.all(list.map(async (p) => ((await portInUse(p)) ? p : undefined)))).filter((p) => p !== undefined);
}

function portEnv(ports: StackPorts): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(PORT_ENV_NAMES).map(([key, name]) => [name, String(ports[key as keyof StackPorts])]));
}

/** startStack's progress lines are not needed here; each child's log stays in <dataDir>/logs. */
const quiet = () => {};

// --- clear errors ------------------------------------------------------------------------------

describe("local stack: clear errors", { timeout: 120_000 }, () => {
  it("a port in use rejects with PortInUseError naming the port and its env var, before anything starts", async () => {
    const held = await holdPort();
    const { dataDir, cleanup } = tempDataDir("port");
    const dir = join(dataDir, "stack"); // not created yet: startStack must not get that far
    try {
      const chosen = await loadStackConfig({}, { freePorts: true, dataDir: dir });
      const config = { ...chosen, ports: { ...chosen.ports, indexer: held.port } };
      await assert.rejects(startStack(config, quiet), (error: Error) => {
        assert.ok(error instanceof PortInUseError, `${error.name}: ${error.message}`);
        assert.match(error.message, new RegExp(`port ${held.port} \\(indexer\\)`));
        assert.match(error.message, /set ONEKEY_INDEXER_PORT/);
        return true;
      });
      assert.ok(!existsSync(dir), "nothing was started or written");
      const others = Object.values(config.ports).filter((p) => p !== held.port);
      assert.deepEqual(await busy(others), [], "the other ports it chose are free");
    } finally {
      await held.close();
      cleanup();
    }
  });

  it("`npm start` with a port in use exits 1 with the same message", async () => {
    const held = await holdPort();
    const { dataDir, cleanup } = tempDataDir("port-cli");
    try {
      const ports = (await loadStackConfig({}, { freePorts: true })).ports;
      const env = { ...process.env, ONEKEY_DATA_DIR: dataDir, ...portEnv({ ...ports, rpc: held.port }) };
      const { code, output } = await runToExit(spawn(process.execPath, [join(ROOT, "scripts/start.ts")], { cwd: ROOT, env }), 30_000);
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`OneKey stack failed to start: port ${held.port} \\(rpc\\) is already in use .* set ONEKEY_RPC_PORT`));
      assert.deepEqual(await busy(Object.values(ports).filter((p) => p !== held.port)), []);
    } finally {
      await held.close();
      cleanup();
    }
  });

  it("a child that exits before it is ready fails fast with ServiceExitedError: name, exit code, log tail", async () => {
    const { dataDir, cleanup } = tempDataDir("exit");
    try {
      const started = Date.now();
      let probes = 0;
      await assert.rejects(
        startService({
          name: "broken-service",
          command: process.execPath,
          args: ["-e", "console.log('config error: no RPC URL given'); process.exit(3)"],
          logFile: join(dataDir, "broken.log"),
          ready: async () => (probes++, false),
          readyTimeoutMs: 30_000,
        }),
        (error: Error) => {
          assert.ok(error instanceof ServiceExitedError, `${error.name}: ${error.message}`);
          assert.match(error.message, /^broken-service exited with code 3 before it was ready/);
          assert.match(error.message, /config error: no RPC URL given/, "the log tail is in the message");
          return true;
        },
      );
      assert.ok(Date.now() - started < 10_000, "it did not wait for the ready timeout");
      const probed = probes;
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(probes, probed, "the readiness poll stopped with the failure");
    } finally {
      cleanup();
    }
  });

  it("a command that is not installed fails with ServiceExitedError carrying the spawn error", async () => {
    const { dataDir, cleanup } = tempDataDir("enoent");
    try {
      await assert.rejects(
        startService({
          name: "ghost",
          command: join(dataDir, "no-such-binary"),
          args: [],
          logFile: join(dataDir, "ghost.log"),
          ready: async () => false,
          readyTimeoutMs: 30_000,
        }),
        (error: Error) => {
          assert.ok(error instanceof ServiceExitedError, `${error.name}: ${error.message}`);
          assert.match(error.message, /^ghost exited with code -1/);
          assert.match(error.message, /spawn error: .*ENOENT/);
          return true;
        },
      );
    } finally {
      cleanup();
    }
  });

  it("a child that runs but never answers is stopped after the ready timeout, with its log tail", async () => {
    const { dataDir, cleanup } = tempDataDir("silent");
    // Accepts connections and never answers: the readiness check must not hang on it.
    const mute = await holdPort();
    try {
      const started = Date.now();
      let pid = 0;
      await assert.rejects(
        startService({
          name: "stuck-service",
          command: process.execPath,
          // What alto does on EADDRINUSE: log the error and keep running.
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the template is the child process's own source code
          args: ["-e", "console.log(`pid ${process.pid}: listen EADDRINUSE 127.0.0.1`); setInterval(() => {}, 1000)"],
          logFile: join(dataDir, "stuck.log"),
          ready: async () => (await fetch(`http://127.0.0.1:${mute.port}/`)).ok,
          readyTimeoutMs: 1_500,
        }),
        (error: Error) => {
          assert.ok(error instanceof ServiceNotReadyError, `${error.name}: ${error.message}`);
          assert.match(error.message, /^stuck-service was not ready after 1500 ms/);
          assert.match(error.message, /listen EADDRINUSE/, "the log tail says why");
          pid = Number(/pid (\d+):/.exec(error.message)?.[1]);
          return true;
        },
      );
      assert.ok(Date.now() - started < 6_000, `bounded by the ready timeout (took ${Date.now() - started} ms)`);
      assert.ok(pid > 0);
      assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, "the child was stopped");
    } finally {
      await mute.close();
      cleanup();
    }
  });

  it("a child that fails half-way through start-up takes the services already started down with it", async () => {
    const { dataDir, cleanup } = tempDataDir("half");
    const config = await loadStackConfig({}, { freePorts: true, dataDir, clean: true });
    let sabotaged = false;
    try {
      // Just before the indexer starts (the chain, storage, bundler and sponsor service are up),
      // a file takes the place of its database directory: Ponder cannot open it and exits.
      const log = (line: string) => {
        if (!line.startsWith("indexer:")) return;
        writeFileSync(join(dataDir, "ponder"), "not a directory");
        sabotaged = true;
      };
      await assert.rejects(startStack(config, log), (error: Error) => {
        assert.ok(error instanceof ServiceExitedError, `${error.name}: ${error.message}`);
        assert.match(error.message, /^ponder exited with code [1-9]\d* before it was ready/);
        return true;
      });
      assert.ok(sabotaged, "the failure happened where intended");
      assert.deepEqual(await busy(config.ports), [], "anvil, arlocal, the Irys bundler, alto and the sponsor service were stopped");
    } finally {
      cleanup();
    }
  });
});

// --- preflight ---------------------------------------------------------------------------------

describe("local stack: preflight", () => {
  it("passes on this machine", () => {
    assert.deepEqual(findMissing(stackPrerequisites(ROOT)), []);
    assert.doesNotThrow(() => preflight(stackPrerequisites(ROOT)));
  });

  it("names each missing item and the fix in one error", () => {
    const ok = stackPrerequisites(ROOT);
    const broken = {
      nodeVersion: "20.19.5",
      files: ok.files.map((f) => (f.what.startsWith("anvil") ? { ...f, path: join(tmpdir(), "onekey-nowhere", "anvil") } : f)),
      // Resolved from a directory with no node_modules: what a machine without the install sees.
      modules: ok.modules.map((m) => ({ ...m, from: join(tmpdir(), "onekey-nowhere", "package.json") })),
    };
    assert.throws(
      () => preflight(broken),
      (error: Error) => {
        assert.ok(error instanceof MissingPrerequisitesError);
        assert.equal(error.missing.length, 3, error.message);
        assert.match(error.message, /Node >= 22\.13 \(this is Node 20\.19\.5/);
        assert.match(error.message, /anvil \(npm @foundry-rs\/anvil\): .*onekey-nowhere\/anvil not found/);
        assert.match(error.message, /sqlite3 native binding \(arlocal's store\): cannot load sqlite3/);
        assert.match(error.message, /Fix: run `npm run setup`/);
        return true;
      },
    );
  });

  it("checks the Node version by number, not by string", () => {
    const at = (nodeVersion: string) => findMissing({ nodeVersion, files: [], modules: [] });
    assert.deepEqual(at("22.13.0"), []);
    assert.deepEqual(at("23.1.0"), []);
    assert.equal(at("22.9.0").length, 1, "22.9 < 22.13");
    assert.equal(at("21.99.0").length, 1);
  });
});

// --- persisted state ---------------------------------------------------------------------------

interface ProjectRow {
  id: string;
  metadataURI: string;
}

/** The indexer's projects as GraphQL shows them to `apiKey`; undefined while the key is refused. */
async function indexedProjects(info: StackInfo, apiKey: string): Promise<ProjectRow[] | undefined> {
  const res = await fetch(info.urls.graphql, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ query: '{ projects(orderBy: "id") { items { id metadataURI } } }' }),
  });
  if (res.status === 401 || res.status === 403) return undefined;
  const body = (await res.json()) as { data?: { projects: { items: ProjectRow[] } }; errors?: unknown };
  if (!body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data.projects.items;
}

function walletOf(info: StackInfo, role: string) {
  const key = info.accounts.find((a) => a.role === role)!.privateKey;
  return createWalletClient({ account: privateKeyToAccount(key), chain: foundry, transport: http(info.rpcUrl) });
}

async function nonceOf(info: StackInfo, role: string): Promise<number> {
  const publicClient = createPublicClient({ chain: foundry, transport: http(info.rpcUrl) });
  return publicClient.getTransactionCount({ address: walletOf(info, role).account.address });
}

const newApiKey = () => `ok_${randomBytes(24).toString("base64url")}`;
const inAYear = () => BigInt(Math.floor(Date.now() / 1000) + 365 * 86_400);

describe("local stack: a restart resumes the saved chain or starts clean", { timeout: 240_000 }, () => {
  const { dataDir, cleanup } = tempDataDir("state");
  let config: StackConfig;
  let stack: Stack | undefined;
  const first = { apiKey: newApiKey(), uris: ["https://example.org/old-chain/1.json", "https://example.org/old-chain/2.json"] };
  let firstInfo: StackInfo;
  let nonces: { admin: number; deployer: number };

  const start = async (clean: boolean) => {
    stack = await startStack({ ...config, clean }, quiet);
    return stack.info;
  };
  const stop = async () => {
    await stack?.stop();
    stack = undefined;
    assert.deepEqual(await busy(config.ports), [], "every port is free after stop");
  };

  before(async () => {
    // Without the web app: its sponsoring project would take project id 1, which this suite counts from.
    config = await loadStackConfig({}, { freePorts: true, dataDir, app: false });
  });

  after(async () => {
    await stack?.stop();
    cleanup();
  });

  it("a clean start indexes the org-admin's writes, and stop saves the chain", async () => {
    const info = (firstInfo = await start(true));
    assert.equal(info.resumed, false);
    const admin = walletOf(info, "org-admin");
    const on = { addresses: info.addresses };
    for (const metadataURI of first.uris) await createProject(admin, { ...on, metadataURI });
    await addApiKey(admin, { ...on, projectId: 1n, keyHash: apiKeyHash(first.apiKey), scopes: ApiKeyScopes.read, expiry: inAYear() });
    const rows = await waitFor(
      "the indexer to show both projects",
      async () => {
        const projects = await indexedProjects(info, first.apiKey);
        return projects?.length === 2 && projects;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    assert.deepEqual(
      rows,
      first.uris.map((metadataURI, i) => ({ id: String(i + 1), metadataURI })),
    );
    nonces = { admin: await nonceOf(info, "org-admin"), deployer: await nonceOf(info, "deployer") };
    await stop();
    assert.ok(existsSync(join(dataDir, "anvil-state.json")), "anvil saved its state in the data dir");
  });

  it("a restart resumes: same contracts and chain state, and the indexer shows the projects without a new transaction", async () => {
    const info = await start(false);
    assert.equal(info.resumed, true);
    assert.deepEqual(info.addresses, firstInfo.addresses);
    const ponderLog = readFileSync(join(info.logsDir, "ponder.log"), "utf8");
    assert.ok(!ponderLog.includes("Schema is locked"), "the last stop released the indexer's schema lock (else a restart waits ~20 s)");
    // Nothing below sends a transaction. Ponder re-indexes the unfinalized blocks only once a new
    // head arrives; startStack's catch-up (empty blocks) is what makes the rows visible.
    const rows = await waitFor(
      "the resumed indexer to show both projects",
      async () => {
        const projects = await indexedProjects(info, first.apiKey);
        return projects?.length === 2 && projects;
      },
      { timeoutMs: 5_000, intervalMs: 200 },
    );
    assert.deepEqual(
      rows.map((r) => r.metadataURI),
      first.uris,
    );
    const admin = walletOf(info, "org-admin");
    const on = { addresses: info.addresses };
    assert.equal(await getProjectCount(admin, on), 2n);
    assert.equal((await getProject(admin, { ...on, projectId: 2n })).metadataURI, first.uris[1]);
    assert.deepEqual(
      { admin: await nonceOf(info, "org-admin"), deployer: await nonceOf(info, "deployer") },
      nonces,
      "no transaction was replayed or re-sent (nothing redeployed)",
    );
    await stop();
  });

  it("a clean restart drops the old chain's rows, even though the contracts land at the same addresses", async () => {
    const info = await start(true);
    assert.equal(info.resumed, false);
    // The trap: anvil from genesis redeploys to the very same addresses, so a reused indexer
    // database would happily serve the old chain's rows for them.
    assert.deepEqual(info.addresses, firstInfo.addresses);
    const admin = walletOf(info, "org-admin");
    const on = { addresses: info.addresses };
    assert.equal(await getProjectCount(admin, on), 0n, "the chain is new");
    const apiKey = newApiKey();
    const uri = "https://example.org/new-chain/1.json";
    const { projectId } = await createProject(admin, { ...on, metadataURI: uri });
    assert.equal(projectId, 1n);
    await addApiKey(admin, { ...on, projectId, keyHash: apiKeyHash(apiKey), scopes: ApiKeyScopes.read, expiry: inAYear() });
    await waitFor("the indexer to show the new project", async () => (await indexedProjects(info, apiKey))?.[0]?.metadataURI === uri, {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    assert.deepEqual(await indexedProjects(info, apiKey), [{ id: "1", metadataURI: uri }], "exactly the new chain's project");
    assert.equal(await indexedProjects(info, first.apiKey), undefined, "the old chain's API key is unknown");
    await stop();
  });
});

// --- Ctrl-C ------------------------------------------------------------------------------------

/** Collects a child's output until it exits (or the bound passes: then it is killed and that fails). */
async function runToExit(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code, output };
}

/** Pids of live processes whose environment carries `entry` (the stack's children inherit it). */
function pidsWithEnv(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, "utf8").split("\0").includes(entry)) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

describe("`npm start`: Ctrl-C stops every child", { timeout: 180_000, skip: !existsSync("/proc/self/environ") && "needs /proc" }, () => {
  const { dataDir, cleanup } = tempDataDir("sigint");
  const marker = `ONEKEY_DATA_DIR=${dataDir}`;
  let child: ChildProcess | undefined;

  after(() => {
    // Only if an assertion failed half-way: whatever still carries this test's data dir is ours.
    for (const pid of pidsWithEnv(marker)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    cleanup();
  });

  it("SIGINT stops the stack, exits 0 and leaves no process or port behind", async () => {
    const ports = (await loadStackConfig({}, { freePorts: true })).ports;
    // A new process group like a terminal's foreground job; the services sit in their own groups.
    child = spawn(process.execPath, [join(ROOT, "scripts/start.ts")], {
      cwd: ROOT,
      env: { ...process.env, ONEKEY_DATA_DIR: dataDir, ...portEnv(ports) },
      detached: true,
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    await waitFor(
      "`npm start` to report the stack is up",
      async () => {
        if (code !== undefined) throw new Error(`start.ts exited ${code}:\n${output}`);
        return output.includes("OneKey local stack is up");
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`, { cause: error.cause });
    });
    const running = pidsWithEnv(marker);
    assert.ok(running.length >= 4, `start.ts, anvil, alto and ponder carry the data dir (found ${running.length})`);
    assert.deepEqual(await busy(ports), Object.values(ports), "every service listens");

    const sent = Date.now();
    process.kill(-child.pid!, "SIGINT"); // what Ctrl-C sends to the foreground process group
    const bound = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 30_000).unref());
    assert.equal(await Promise.race([exited, bound]), 0, `exit code within 30 s:\n${output}`);
    assert.match(output, /SIGINT: stopping/);
    assert.match(output, /^stopped$/m);
    assert.ok(Date.now() - sent < 30_000);
    assert.deepEqual(pidsWithEnv(marker), [], "no child outlived start.ts");
    assert.deepEqual(await busy(ports), [], "every port is free");
    assert.ok(existsSync(join(dataDir, "anvil-state.json")), "the chain was saved for the next start");
  });
});
