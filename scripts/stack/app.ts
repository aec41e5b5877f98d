// The web app's side of the local stack: a sponsoring project for people who use the app (the
// stand-in for the project a person onboards with), its backend's ticket desk, and the static app
// server with the /config.json that points the browser at every local service.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { createPublicClient, createWalletClient, getAddress, http, isAddress, parseEther, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { projectRegistryAbi } from "@onekey/sdk/abis";
import { fundProject, signSponsorshipTicket } from "@onekey/sdk/aa";
import { createIrysApproval } from "@onekey/sdk/storage";
import { ApiKeyScopes, Roles } from "@onekey/sdk/constants";
import { addApiKey, apiKeyHash, createProject, grantRoles } from "@onekey/sdk/contracts";
import type { Service } from "../lib/service.ts";
import { AppNotBuiltError, loadAppConfigFile, startAppServer } from "./app-server.ts";

export interface AppSideOptions {
  root: string;
  dataDir: string;
  logsDir: string;
  rpcUrl: string;
  chainId: number;
  addresses: Record<string, `0x${string}`>;
  urls: { arweave: string; bundler: string; sponsor: string; api: string; review?: string; irys?: string };
  /**
   * The local Irys bundler's credit (what an on-chain transfer to Irys does on a real one): the
   * desk's key gets a balance there, which it lets each browser's upload key spend.
   */
  irysCredit?: (token: string, address: string, amount: bigint) => void;
  /** Which storage /config.json tells the app to upload to: "arweave" (default) or "irys" (ONEKEY_APP_STORAGE). */
  storage?: "arweave" | "irys";
  appPort: number;
  ticketsPort: number;
  /** The key that admins the app's project (anvil's deployer) and the key its backend signs tickets with (a SPONSOR). */
  adminKey: `0x${string}`;
  sponsorKey: `0x${string}`;
  /** anvil's public dev keys offered in the app's dev-account picker. */
  devKeys: `0x${string}`[];
  log: (line: string) => void;
  /** The operator's networks (Base Sepolia, Base), merged over the local one: ONEKEY_APP_CONFIG. */
  appConfigFile?: string;
}

/** What the app's project is: kept in <dataDir>/app.json so a resumed stack reuses it. */
interface AppProject {
  projectId: string;
  /** A read-scope API key for the indexer's public GraphQL: public by design (it is served to browsers). */
  readKey: string;
}

const server = (s: Server) =>
  new Promise<void>((ok) => {
    s.closeAllConnections();
    s.close(() => ok());
  });
const inProcess = (name: string, stop: () => Promise<void>): Service => ({
  name,
  stop,
  logFile: "",
  exited: new Promise<number | null>(() => {}),
  child: undefined as never,
});

async function ensureProject(o: AppSideOptions): Promise<AppProject> {
  const path = join(o.dataDir, "app.json");
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as AppProject;
  const publicClient = createPublicClient({ chain: foundry, transport: http(o.rpcUrl) });
  const admin = createWalletClient({ account: privateKeyToAccount(o.adminKey), chain: foundry, transport: http(o.rpcUrl) });
  // The local chain's registries: the SDK records no deployment for it.
  const on = { addresses: o.addresses };
  const meta = `data:application/json,${encodeURIComponent(JSON.stringify({ name: "OneKey app (local sponsorship)" }))}`;
  const { projectId } = await createProject(admin, { ...on, metadataURI: meta });
  await grantRoles(admin, { ...on, projectId, account: privateKeyToAccount(o.sponsorKey).address, roles: Roles.SPONSOR });
  await fundProject(admin, { paymaster: o.addresses.paymaster as Address, projectId, value: parseEther("5") });
  const readKey = `ok_pub_${randomBytes(18).toString("base64url")}`;
  const expiry = (await publicClient.getBlock()).timestamp + 10n * 365n * 86_400n;
  await addApiKey(admin, { ...on, projectId, keyHash: apiKeyHash(readKey), scopes: ApiKeyScopes.read, expiry });
  const project = { projectId: projectId.toString(), readKey };
  writeFileSync(path, JSON.stringify(project, null, 2));
  return project;
}

/**
 * Projects' backends, reduced to the one call the app needs: a sponsorship ticket for a subject
 * and project ({ subject, projectId? }, default the app's project). A real backend decides whom
 * it authorises (after sign-up, a captcha, ...); this one authorises any account of the local
 * chain, for any project whose SPONSOR its key is, within the ticket's op cap.
 */
async function startTicketDesk(o: AppSideOptions, projectId: bigint): Promise<{ url: string; stop(): Promise<void> }> {
  const signer = createWalletClient({ account: privateKeyToAccount(o.sponsorKey), chain: foundry, transport: http(o.rpcUrl) });
  const publicClient = createPublicClient({ chain: foundry, transport: http(o.rpcUrl) });
  const cors = { "access-control-allow-origin": "*", "access-control-allow-methods": "POST, OPTIONS", "access-control-allow-headers": "content-type" };
  const s = createServer(async (req, res) => {
    const reply = (status: number, body: object) => res.writeHead(status, { ...cors, "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
    const routes = ["/ticket", "/storage-approval"];
    if (req.method !== "POST" || !routes.includes(req.url ?? ""))
      return reply(404, { error: "NotFound", message: "POST /ticket { subject } or POST /storage-approval { address }" });
    let raw = "";
    for await (const chunk of req) {
      raw += chunk;
      if (raw.length > 1_024) return reply(413, { error: "BodyTooLarge", message: "The body is limited to 1 KiB." });
    }
    let body: { subject?: unknown; projectId?: unknown; address?: unknown; token?: unknown };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return reply(400, { error: "InvalidJson", message: "The body is not JSON." });
    }
    if (req.url === "/storage-approval") return approveStorage(body, reply);
    const { subject } = body ?? {};
    if (typeof subject !== "string" || !isAddress(subject)) return reply(400, { error: "InvalidSubject", message: "subject must be an address." });
    const asked = body.projectId ?? projectId.toString();
    if (typeof asked !== "string" || !/^\d{1,78}$/.test(asked))
      return reply(400, { error: "InvalidProjectId", message: "projectId must be a decimal string." });
    try {
      // Locally this desk is the backend of every project whose SPONSOR role its key holds.
      const isSponsor = await publicClient.readContract({
        address: o.addresses.projectRegistry,
        abi: projectRegistryAbi,
        functionName: "hasActiveRole",
        args: [BigInt(asked), signer.account.address, Roles.SPONSOR],
      });
      if (!isSponsor) return reply(403, { error: "ProjectDoesNotSponsor", message: `project ${asked} has not made this desk's key a SPONSOR` });
      const now = Number((await publicClient.getBlock()).timestamp);
      const ticket = await signSponsorshipTicket(signer, {
        chainId: o.chainId,
        paymaster: o.addresses.paymaster as Address,
        projectId: BigInt(asked),
        subject: getAddress(subject),
        maxOps: 100,
        validUntil: now + 6 * 3_600,
      });
      reply(200, ticket);
    } catch {
      reply(503, { error: "ChainUnavailable", message: "The chain did not answer." });
    }
  });
  // Storage for the app's uploads on Irys: the desk's key holds an Irys balance and lets each
  // browser's throwaway upload key spend a bounded part of it (an Irys balance approval), once per
  // key and for an hour. A real backend decides whom it pays for, as with tickets.
  const approved = new Set<string>();
  async function approveStorage(body: { address?: unknown; token?: unknown }, reply: (status: number, body: object) => void) {
    if (!o.urls.irys) return reply(404, { error: "NoIrysBundler", message: "This stack runs no Irys bundler." });
    const { address } = body ?? {};
    if (typeof address !== "string" || !isAddress(address)) return reply(400, { error: "InvalidAddress", message: "address must be an EVM address." });
    const token = body.token ?? IRYS_TOKEN;
    if (token !== IRYS_TOKEN) return reply(400, { error: "UnsupportedToken", message: `token must be "${IRYS_TOKEN}".` });
    const key = address.toLowerCase();
    if (approved.has(key)) return reply(409, { error: "AlreadyApproved", message: "This upload key was approved already." });
    approved.add(key);
    try {
      const price = await fetch(`${o.urls.irys}/price/${IRYS_TOKEN}/${STORAGE_APPROVAL_BYTES}`).then((r) => r.text());
      await createIrysApproval({
        bundlerUrl: o.urls.irys,
        account: signer.account,
        token: IRYS_TOKEN,
        approvedAddress: getAddress(address),
        amount: BigInt(price),
        expiresInSeconds: 3_600,
      });
      reply(200, { approved: getAddress(address), paidBy: signer.account.address, bytes: STORAGE_APPROVAL_BYTES });
    } catch {
      approved.delete(key);
      reply(503, { error: "StorageUnavailable", message: "The Irys bundler did not take the approval." });
    }
  }

  await new Promise<void>((ok, fail) => {
    s.once("error", fail);
    s.listen(o.ticketsPort, "127.0.0.1", () => ok());
  });
  return { url: `http://127.0.0.1:${o.ticketsPort}`, stop: () => server(s) };
}

const IRYS_TOKEN = "base-eth";
/** What one approval pays for: the app's largest record (20 MB of documents plus the fields), rounded up. */
const STORAGE_APPROVAL_BYTES = 25 * 1024 * 1024;

/** The network entry of /config.json for this stack. */
export function localAppConfig(o: AppSideOptions, project: AppProject, ticketsUrl: string) {
  return {
    chainId: o.chainId,
    name: "Local chain",
    rpcUrl: o.rpcUrl,
    bundlerUrl: o.urls.bundler,
    sponsorUrl: o.urls.sponsor,
    indexerUrl: o.urls.api,
    indexerApiKey: project.readKey,
    storageUrls: [o.urls.arweave],
    storageDev: true,
    // Irys (as in production) when asked and a bundler runs; the gateway above serves what it bundles.
    ...(o.storage === "irys" && o.urls.irys
      ? {
          storage: {
            kind: "irys",
            bundlerUrl: o.urls.irys,
            token: IRYS_TOKEN,
            paidBy: privateKeyToAccount(o.sponsorKey).address,
            approvalUrl: `${ticketsUrl}/storage-approval`,
          },
        }
      : {}),
    addresses: o.addresses,
    sponsor: { projectId: project.projectId, ticketUrl: `${ticketsUrl}/ticket` },
    // The console shows the case queue of the projects this service serves (it says which at /health).
    ...(o.urls.review ? { reviewUrl: o.urls.review } : {}),
    devAccounts: o.devKeys,
  };
}

/**
 * Sets up the app's project (first start only), its ticket desk and the app server. An unbuilt app
 * (app/dist missing: suites that never open a browser skip the build) leaves the app URL out and
 * says so; everything else still starts.
 */
export async function startAppSide(o: AppSideOptions): Promise<{ services: Service[]; urls: { app?: string; tickets: string }; projectId: bigint }> {
  const project = await ensureProject(o);
  const configFile = o.appConfigFile ?? (process.env.ONEKEY_APP_CONFIG || undefined);
  const desk = await startTicketDesk(o, BigInt(project.projectId));
  // The desk's Irys balance on the local bundler (on Irys itself: a transfer to its funding address).
  o.irysCredit?.(IRYS_TOKEN, privateKeyToAccount(o.sponsorKey).address, 10n ** 21n);
  const services = [inProcess("ticket desk", desk.stop)];
  try {
    const app = await startAppServer({
      distDir: join(o.root, "app/dist"),
      port: o.appPort,
      config: configFile ? loadAppConfigFile(configFile, localAppConfig(o, project, desk.url)) : localAppConfig(o, project, desk.url),
      logFile: join(o.logsDir, "app-server.log"),
    });
    services.push(inProcess("app server", app.stop));
    o.log(`app: ${app.url} (static files + /config.json; project ${project.projectId} sponsors people using it)`);
    return { services, urls: { app: app.url, tickets: desk.url }, projectId: BigInt(project.projectId) };
  } catch (error) {
    if (error instanceof AppNotBuiltError) {
      o.log(`app: not started (${error.message})`);
      return { services, urls: { tickets: desk.url }, projectId: BigInt(project.projectId) };
    }
    await desk.stop();
    throw error;
  }
}
