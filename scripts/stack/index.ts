import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { deployWithIgnition } from "../deploy.ts";
import { anvilBinary, ANVIL_KEYS } from "../lib/anvil.ts";
import { portInUse } from "../lib/ports.ts";
import { rpc, startService, type Service } from "../lib/service.ts";
import { PORT_ENV_NAMES, type StackConfig, type StackPorts } from "./config.ts";
import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startArlocal } from "@onekey/devstack/storage/arlocal";
import { startLocalIrysBundler } from "@onekey/devstack/storage/irys-bundler";
import { startLocalAA } from "../aa/local.ts";
import { startStackReview } from "./review.ts";
import { startAppSide } from "./app.ts";

export class PortInUseError extends Error {
  override name = "PortInUseError";
  constructor(what: keyof StackPorts, port: number) {
    super(`port ${port} (${what}) is already in use on 127.0.0.1: stop what holds it or set ${PORT_ENV_NAMES[what]}`);
  }
}

export interface StackAddresses {
  projectRegistry: `0x${string}`;
  recordRegistry: `0x${string}`;
  attestationRegistry: `0x${string}`;
  [name: string]: `0x${string}`;
}

/** What a running stack tells its clients (also written to <dataDir>/stack.json for the demo). */
export interface StackInfo {
  chainId: number;
  rpcUrl: string;
  wsUrl: string;
  startBlock: number;
  addresses: StackAddresses;
  urls: Record<string, string>;
  /** anvil's well-known dev keys: public test keys funded only on this local chain. */
  accounts: { role: string; privateKey: `0x${string}` }[];
  /** The project that sponsors people using the web app (scripts/stack/app.ts). */
  appProjectId?: string;
  /**
   * The project the stack's review service serves (the next id after the app's: the demo's on a
   * fresh chain) and the public half of its review key, which the project registers to connect it
   * (scripts/stack/review.ts connectStackReview).
   */
  review?: { projectId: string; publicKey: `0x${string}` };
  logsDir: string;
  dataDir: string;
  resumed: boolean;
}

export interface Stack {
  info: StackInfo;
  services: Service[];
  stop(): Promise<void>;
}

const CHAIN_ID = 31337;

/** Starts every part of the local stack in order and health-checks each one. */
export async function startStack(config: StackConfig, log: (line: string) => void = console.log): Promise<Stack> {
  for (const [what, port] of Object.entries(config.ports) as [keyof StackPorts, number][]) {
    if (await portInUse(port)) throw new PortInUseError(what, port);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const logsDir = join(config.dataDir, "logs");
  const statePath = join(config.dataDir, "anvil-state.json");
  const infoPath = join(config.dataDir, "stack.json");
  const previous: StackInfo | undefined = existsSync(infoPath) ? JSON.parse(readFileSync(infoPath, "utf8")) : undefined;
  let resumed = !config.clean && previous !== undefined && existsSync(statePath);
  if (!resumed) wipe(config.dataDir);

  const services: Service[] = [];
  // Idempotent: the first call stops every service in reverse start order, later calls wait for it.
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const service of [...services].reverse()) await service.stop();
    })());
  try {
    const rpcUrl = `http://127.0.0.1:${config.ports.rpc}`;
    log(`chain: anvil on ${rpcUrl} (${resumed ? "resuming saved state" : "fresh"})`);
    services.push(
      await startService({
        name: "anvil",
        command: anvilBinary(),
        args: [
          "--host",
          "127.0.0.1",
          "--port",
          String(config.ports.rpc),
          "--chain-id",
          String(CHAIN_ID),
          "--state",
          statePath,
          "--state-interval",
          "2",
          // Base runs Prague: EIP-7702 delegations (Simple7702Account) work as they do there.
          "--hardfork",
          "prague",
        ],
        logFile: join(logsDir, "anvil.log"),
        ready: async () => (await rpc(rpcUrl, "eth_chainId")) !== undefined,
      }),
    );

    // A resumed chain must still hold the contracts we deployed; otherwise start clean so the
    // indexer never keeps rows from another chain.
    if (resumed && !(await hasCode(rpcUrl, previous!.addresses.recordRegistry))) {
      log("chain: saved state does not hold the deployment; starting clean");
      await services.pop()!.stop();
      wipe(config.dataDir);
      resumed = false;
      return await startStack({ ...config, clean: true }, log);
    }

    const registries = resumed ? previous!.addresses : await deployRegistries(config, rpcUrl, log);
    const startBlock = resumed ? previous!.startBlock : 0;
    const publicClient = createPublicClient({ chain: foundry, transport: http(rpcUrl) });
    const deployer = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[0]), chain: foundry, transport: http(rpcUrl) });

    log(`storage: arlocal on http://127.0.0.1:${config.ports.arweave}`);
    const arweave = await startArlocal({ port: config.ports.arweave, dbPath: join(config.dataDir, "arweave") });
    services.push(inProcess("arlocal", arweave.stop));
    // The Irys-compatible bundler endpoint the real @irys/upload client can be pointed at.
    const irys = await startLocalIrysBundler({ arweaveUrl: arweave.url, port: config.ports.irys });
    services.push(inProcess("irys bundler", irys.stop));

    log(`gas sponsorship: EntryPoint v0.8, paymaster, alto on :${config.ports.bundler}, sponsor service on :${config.ports.sponsor}`);
    const existing =
      resumed && previous!.addresses.paymaster
        ? {
            entryPoint: previous!.addresses.entryPoint,
            factory: previous!.addresses.factory,
            paymaster: previous!.addresses.paymaster,
            simple7702Account: previous!.addresses.simple7702Account,
          }
        : undefined;
    const aa = await startLocalAA({
      rpcUrl,
      wallet: deployer,
      publicClient,
      oneKey: registries,
      bundlerPort: config.ports.bundler,
      sponsorPort: config.ports.sponsor,
      executorKey: ANVIL_KEYS[8],
      utilityKey: ANVIL_KEYS[9],
      sponsorKey: ANVIL_KEYS[DEMO_ROLES.indexOf("sponsor-signer")],
      logsDir,
      existing,
      // The caps live beside the chain state, so a restart keeps what was counted.
      sponsorDbDir: join(config.dataDir, "sponsor"),
      sponsorDatabaseUrl: process.env.ONEKEY_SPONSOR_DATABASE_URL || undefined,
      policy: STACK_SPONSOR_POLICY,
    });
    services.push(...aa.services);

    const addresses: StackAddresses = {
      projectRegistry: registries.projectRegistry,
      recordRegistry: registries.recordRegistry,
      attestationRegistry: registries.attestationRegistry,
      entryPoint: aa.entryPoint,
      factory: aa.factory,
      paymaster: aa.paymaster,
      simple7702Account: aa.simple7702Account,
    };
    const indexerUrl = `http://127.0.0.1:${config.ports.indexer}`;
    log(`indexer: Ponder on ${indexerUrl} (PGlite in the data dir)`);
    services.push(
      await startService({
        name: "ponder",
        command: process.execPath,
        args: [
          join(config.root, "node_modules/ponder/dist/esm/bin/ponder.js"),
          "start",
          "--schema",
          "onekey",
          "--port",
          String(config.ports.indexer),
          "--hostname",
          "127.0.0.1",
          "--log-format",
          "json",
        ],
        cwd: join(config.root, "indexer"),
        env: {
          ...process.env,
          PONDER_TELEMETRY_DISABLED: "1",
          ONEKEY_CHAIN: "local",
          ONEKEY_CHAIN_ID: String(CHAIN_ID),
          ONEKEY_RPC_URL: rpcUrl,
          ONEKEY_WS_URL: `ws://127.0.0.1:${config.ports.rpc}`,
          ONEKEY_POLLING_INTERVAL_MS: "100",
          ONEKEY_PROJECT_REGISTRY: registries.projectRegistry,
          ONEKEY_RECORD_REGISTRY: registries.recordRegistry,
          ONEKEY_ATTESTATION_REGISTRY: registries.attestationRegistry,
          ONEKEY_PAYMASTER: aa.paymaster,
          ONEKEY_START_BLOCK: String(startBlock),
          // Local runs deliver webhooks to receivers on this machine.
          ONEKEY_WEBHOOK_ALLOW_PRIVATE: "127.0.0.1/32",
          ONEKEY_PGLITE_DIR: join(config.dataDir, "ponder"),
          DATABASE_URL: "",
        },
        logFile: join(logsDir, "ponder.log"),
        // Not SIGTERM: Ponder's build (vite) exits the process on SIGTERM before Ponder's own
        // shutdown has unlocked its schema, and the next start then waits ~20 s for the stale lock
        // to expire. On SIGINT Ponder shuts down fully.
        stopSignal: "SIGINT",
        readyTimeoutMs: 120_000,
        ready: async () => (await fetch(`${indexerUrl}/ready`)).status === 200,
      }),
    );
    if (resumed) await catchUpIndexer(rpcUrl, indexerUrl, log);
    // The web app: its sponsoring project, ticket desk and static server (scripts/stack/app.ts).
    const appSide =
      config.app === false
        ? undefined
        : await startAppSide({
            root: config.root,
            dataDir: config.dataDir,
            logsDir,
            rpcUrl,
            chainId: CHAIN_ID,
            addresses,
            // The review service starts after the app's project exists (it serves the next id); its URL is fixed by its port.
            urls: {
              arweave: arweave.url,
              bundler: aa.bundlerUrl,
              sponsor: aa.sponsorUrl,
              api: indexerUrl,
              review: `http://127.0.0.1:${config.ports.review}`,
              irys: irys.url,
            },
            irysCredit: irys.credit,
            storage: process.env.ONEKEY_APP_STORAGE === "irys" ? "irys" : "arweave",
            appPort: config.ports.app,
            ticketsPort: config.ports.tickets,
            adminKey: ANVIL_KEYS[0],
            sponsorKey: ANVIL_KEYS[DEMO_ROLES.indexOf("sponsor-signer")],
            devKeys: ANVIL_KEYS.slice(0, 8),
            log,
          });
    if (appSide) services.push(...appSide.services);

    const reviewProject = process.env.ONEKEY_REVIEW_PROJECT_ID ? BigInt(process.env.ONEKEY_REVIEW_PROJECT_ID) : (appSide?.projectId ?? 0n) + 1n;
    log(`review service: on :${config.ports.review} for project ${reviewProject}, with the Sumsub, Onfido and Veriff simulators`);
    const review = await startStackReview({
      projectId: reviewProject,
      port: config.ports.review,
      rpcUrl,
      indexerUrl,
      arweaveUrl: arweave.url,
      dataDir: config.dataDir,
      logsDir,
      addresses: registries,
      attesterKey: ANVIL_KEYS[DEMO_ROLES.indexOf("reviewer")],
      relayerKey: ANVIL_KEYS[7],
      // The console calls the case API from the app's pages (by either local host name).
      corsOrigins: [`http://127.0.0.1:${config.ports.app}`, `http://localhost:${config.ports.app}`],
    });
    services.push(inProcess("review service", review.stop));

    const info: StackInfo = {
      chainId: CHAIN_ID,
      rpcUrl,
      wsUrl: `ws://127.0.0.1:${config.ports.rpc}`,
      startBlock,
      addresses,
      urls: {
        ...(appSide?.urls.app ? { app: appSide.urls.app } : {}),
        rpc: rpcUrl,
        arweave: arweave.url,
        irys: irys.url,
        bundler: aa.bundlerUrl,
        sponsor: aa.sponsorUrl,
        graphql: `${indexerUrl}/graphql`,
        api: indexerUrl,
        review: review.url,
        ...(appSide ? { tickets: appSide.urls.tickets } : {}),
      },
      appProjectId: appSide?.projectId.toString(),
      review: { projectId: reviewProject.toString(), publicKey: review.reviewPublicKey },
      accounts: DEMO_ROLES.map((role, i) => ({ role, privateKey: ANVIL_KEYS[i] })),
      logsDir,
      dataDir: config.dataDir,
      resumed,
    };
    writeFileSync(infoPath, JSON.stringify(info, null, 2));
    return { info, services, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The local sponsor service's policy: every project whose SPONSOR role the service's key holds,
 * for subjects the project authorised (an API key with the sponsor scope, or a ticket its backend
 * signs; the demo signs a ticket), within caps a local run never meets by accident.
 */
export const STACK_SPONSOR_POLICY = {
  validitySeconds: 600,
  default: { access: "authorised" as const, maxOpsPerSubject: 1_000, maxOpsPerProject: 100_000, maxOpsPerTicket: 1_000 },
};

/** anvil dev accounts by role (index = account). Keys 8 and 9 run the bundler. */
export const DEMO_ROLES = ["deployer", "org-admin", "reviewer", "auditor", "sponsor-signer", "dapp-operator"] as const;

/** A service that lives inside this process (arlocal, the sponsor service). */
function inProcess(name: string, stop: () => Promise<void>): Service {
  return { name, stop, logFile: "", exited: new Promise<number | null>(() => {}) };
}

function wipe(dataDir: string): void {
  for (const entry of ["anvil-state.json", "stack.json", "ignition", "ponder", "arweave", "logs", "sponsor", "review", "app.json"]) {
    rmSync(join(dataDir, entry), { recursive: true, force: true });
  }
}

/**
 * Ponder indexes the blocks newer than the finalized one only when a new head arrives after its
 * subscription is up (a little after /ready). A resumed anvil is idle, so the last events before a
 * stop would stay invisible until the next transaction: mine empty blocks until the indexer has
 * reached the head the saved chain ended at.
 */
async function catchUpIndexer(rpcUrl: string, indexerUrl: string, log: (l: string) => void): Promise<void> {
  const head = Number(await rpc(rpcUrl, "eth_blockNumber"));
  const indexed = async () => {
    const status = (await (await fetch(`${indexerUrl}/status`)).json()) as Record<string, { block?: { number: number } }>;
    return Object.values(status)[0]?.block?.number ?? -1;
  };
  for (let attempt = 0; attempt < 40; attempt++) {
    if ((await indexed()) >= head) return;
    await rpc(rpcUrl, "evm_mine");
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`indexer: still behind block ${head} after mining 40 blocks; see the ponder log`);
}

async function hasCode(rpcUrl: string, address: string): Promise<boolean> {
  const code = (await rpc(rpcUrl, "eth_getCode", [address, "latest"])) as string;
  return code !== "0x";
}

/** The Ignition deployment id of a data dir (its journal: ignition/deployments/<id>). */
export function ignitionDeploymentId(dataDir: string): string {
  return `local-${createHash("sha256").update(dataDir).digest("hex").slice(0, 12)}`;
}

/**
 * Deploys the registries with Ignition. Each data dir gets its own deployment id (the journal
 * sits in ignition/deployments/local-<hash>, git-ignored), reset on every clean start.
 */
async function deployRegistries(config: StackConfig, rpcUrl: string, log: (l: string) => void): Promise<StackAddresses> {
  log("deploy: Ignition module ignition/modules/OneKey.ts");
  const deploymentId = ignitionDeploymentId(config.dataDir);
  const logFile = join(config.dataDir, "logs", "deploy.log");
  mkdirSync(dirname(logFile), { recursive: true });
  const { chainId: _, ...addresses } = await deployWithIgnition({
    network: "localhost",
    rpcUrl,
    deploymentId,
    reset: true,
    onOutput: (chunk) => appendFileSync(logFile, chunk),
  }).catch((error: Error) => {
    throw new Error(`${error.message}; see ${logFile}`);
  });
  return addresses;
}
