// A local Lit-compatible key-release network for tests: N HTTP nodes on 127.0.0.1, each holding
// one Shamir share of a BLS12-381 key (threshold t), announced through a Staking stub on the local
// chain. The REAL @lit-protocol/lit-node-client connects to it like to Datil: it reads the
// validator set from the chain, handshakes with every node, and asks them to sign a decryption.
//
// A node signs only after (1) checking the caller's session signature (ed25519 session key,
// delegated by a SIWE wallet signature whose ReCap grants Threshold/Decryption for the resource)
// and (2) evaluating every `evmContract` condition with eth_call against the chain the condition
// names. The share it returns is share_i · H(identity), where identity is
// "lit-accesscontrolcondition://<sha256 of the canonical conditions>/<dataToEncryptHash>"; the
// client combines t shares by Lagrange interpolation into the BLS signature that is the IBE
// decryption key of exactly that ciphertext. Nothing is mocked on the client side.
//
// What this does NOT reproduce (only a live Datil suite covers it): SEV-SNP attestation, the
// nodes' DKG and epoch changes, payment (capacity credits), PKP auth methods and Lit Actions.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { bls12_381 as bls } from "@noble/curves/bls12-381.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  createPublicClient,
  decodeFunctionResult,
  encodeFunctionData,
  getAddress,
  http,
  isAddress,
  recoverMessageAddress,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { parseSiweMessage } from "viem/siwe";
import type { Account, Chain, Transport, WalletClient } from "viem";
import { deployStakingStub, stakingAbi } from "./staking.ts";
import { CHAIN_ID_BY_LIT_CHAIN } from "@onekey/sdk/lit";

const require = createRequire(import.meta.url);
const accs = require("@lit-protocol/access-control-conditions") as typeof import("@lit-protocol/access-control-conditions");

const POP_DST = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
const ACC_PREFIX = "lit-accesscontrolcondition://";
const Fr = bls.fields.Fr;

export type LocalLitNetworkOptions = {
  /** Lit chain name → RPC URL the nodes evaluate conditions against (its chain id must match the name). */
  chains: Record<string, string>;
  /** Deploys the Staking stub. */
  wallet: WalletClient<Transport, Chain, Account>;
  publicClient: PublicClient;
  nodes?: number;
  threshold?: number;
};

export interface LocalLitNetwork {
  /** Pass to the real LitNodeClient as `contractContext`, with `rpcUrl` = the chain's RPC. */
  contractContext: { Staking: { address: Address; abi: typeof stakingAbi } };
  rpcUrl: string;
  nodeUrls: string[];
  /** Serves `get_most_recent_valid_block` from the local chain (Lit's block indexer, locally). */
  blockhashUrl: string;
  /** The network's BLS public key (G1, hex), what Lit calls the subnet public key. */
  publicKey: string;
  threshold: number;
  /** Requests each node answered, by outcome, for assertions. */
  /** Shares signed in all and per authenticated user (checksummed address): nodes answer concurrently, so a
   *  late share for an earlier caller can land after the next request starts; count by user to tell them apart. */
  stats: { signed: number; refused: number; badAuth: number; signedFor: Map<Address, number> };
  /** Stops one node (to show the threshold tolerates it). */
  stopNode(index: number): Promise<void>;
  stop(): Promise<void>;
}

class NodeRefusal extends Error {
  readonly status: number;
  readonly errorCode: string;
  constructor(status: number, errorCode: string, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

function readJson(req: IncomingMessage): Promise<any> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {});
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

// --- authentication -----------------------------------------------------------------------------

function hasDecryptionRecap(resources: string[] | undefined, resourceKey: string): boolean {
  for (const r of resources ?? []) {
    if (!r.startsWith("urn:recap:")) continue;
    const recap = JSON.parse(Buffer.from(r.slice("urn:recap:".length), "base64url").toString("utf8")) as { att?: Record<string, Record<string, unknown>> };
    for (const key of [resourceKey, `${ACC_PREFIX}*`]) {
      if (recap.att?.[key] && "Threshold/Decryption" in recap.att[key]) return true;
    }
  }
  return false;
}

/** Verifies a wallet's SIWE signature and returns its (checksummed) address. */
async function verifyWalletSig(authSig: any, now: Date): Promise<{ address: Address; siwe: ReturnType<typeof parseSiweMessage> }> {
  if (typeof authSig?.signedMessage !== "string" || typeof authSig?.sig !== "string" || !isAddress(authSig?.address)) {
    throw new NodeRefusal(401, "InvalidAuthSig", "malformed wallet signature");
  }
  const recovered = await recoverMessageAddress({ message: authSig.signedMessage, signature: authSig.sig as Hex }).catch(() => undefined);
  if (!recovered || recovered !== getAddress(authSig.address)) throw new NodeRefusal(401, "InvalidAuthSig", "wallet signature does not verify");
  const siwe = parseSiweMessage(authSig.signedMessage);
  if (siwe.address && getAddress(siwe.address) !== recovered) throw new NodeRefusal(401, "InvalidAuthSig", "SIWE address mismatch");
  if (siwe.expirationTime && siwe.expirationTime < now) throw new NodeRefusal(401, "InvalidAuthSig", "wallet signature expired");
  return { address: recovered, siwe };
}

/**
 * The wallet behind a request: a session signature for this node (ed25519 over the session
 * template, delegated by a SIWE capability), or a bare SIWE wallet signature.
 */
async function authenticate(authSig: any, nodeUrl: string, resourceKey: string): Promise<Address> {
  const now = new Date();
  if (authSig?.algo !== "ed25519") {
    const { address, siwe } = await verifyWalletSig(authSig, now);
    if (!hasDecryptionRecap(siwe.resources, resourceKey) && siwe.resources?.length) {
      throw new NodeRefusal(401, "InvalidAuthSig", "the signature's capabilities do not cover this resource");
    }
    return address;
  }
  let signed: any;
  try {
    if (!ed25519.verify(Buffer.from(authSig.sig, "hex"), new TextEncoder().encode(authSig.signedMessage), Buffer.from(authSig.address, "hex")))
      throw new Error();
    signed = JSON.parse(authSig.signedMessage);
  } catch {
    throw new NodeRefusal(401, "InvalidSessionSig", "session signature does not verify");
  }
  if (signed.sessionKey !== authSig.address) throw new NodeRefusal(401, "InvalidSessionSig", "session key mismatch");
  if (signed.nodeAddress !== nodeUrl) throw new NodeRefusal(401, "InvalidSessionSig", "session signature is for another node");
  if (!(new Date(signed.expiration) > now)) throw new NodeRefusal(401, "InvalidSessionSig", "session expired");
  const wallet = (signed.capabilities ?? []).find((c: any) => c?.derivedVia === "web3.eth.personal.sign");
  if (!wallet) throw new NodeRefusal(401, "InvalidSessionSig", "no wallet capability");
  const { address, siwe } = await verifyWalletSig(wallet, now);
  if (siwe.uri !== `lit:session:${signed.sessionKey}`) throw new NodeRefusal(401, "InvalidSessionSig", "capability is for another session key");
  if (!hasDecryptionRecap(siwe.resources, resourceKey)) {
    throw new NodeRefusal(401, "InvalidSessionSig", "the capability does not grant decryption of this resource");
  }
  return address;
}

// --- condition evaluation -----------------------------------------------------------------------

type Clients = Map<string, PublicClient>;

async function evaluateOne(cond: any, user: Address, clients: Clients): Promise<boolean> {
  const client = clients.get(cond.chain);
  if (!client) throw new NodeRefusal(400, "UnsupportedChainException", `chain ${cond.chain} is not served by this node`);
  const abi = [{ ...cond.functionAbi, type: "function" }] as Abi;
  const args = (cond.functionParams as string[]).map((v, i) => {
    const value = v === ":userAddress" ? user : v;
    return /^u?int/.test(cond.functionAbi.inputs[i].type) ? BigInt(value) : value;
  });
  try {
    const data = encodeFunctionData({ abi, functionName: cond.functionName, args });
    const { data: ret } = await client.call({ to: cond.contractAddress, data });
    const out = decodeFunctionResult({ abi, functionName: cond.functionName, data: ret ?? "0x" }) as unknown;
    const value = cond.returnValueTest.key ? (out as Record<string, unknown>)[cond.returnValueTest.key] : out;
    return compare(value, cond.returnValueTest.comparator, cond.returnValueTest.value);
  } catch (error) {
    if (error instanceof NodeRefusal) throw error;
    return false; // a revert or undecodable answer never grants access
  }
}

function compare(actual: unknown, comparator: string, expected: string): boolean {
  if (typeof actual === "bigint") {
    const e = BigInt(expected);
    return { "=": actual === e, "!=": actual !== e, ">": actual > e, "<": actual < e, ">=": actual >= e, "<=": actual <= e }[comparator] ?? false;
  }
  const a = String(actual).toLowerCase();
  if (comparator === "=") return a === expected.toLowerCase();
  if (comparator === "!=") return a !== expected.toLowerCase();
  return false;
}

/** Left-to-right with `and`/`or` operators and nested groups, as Lit documents. */
async function evaluate(conds: any[], user: Address, clients: Clients): Promise<boolean> {
  let result: boolean | undefined;
  let op: "and" | "or" | undefined;
  for (const c of conds) {
    if (c && typeof c === "object" && "operator" in c) {
      op = c.operator;
      continue;
    }
    const v = Array.isArray(c) ? await evaluate(c, user, clients) : await evaluateOne(c, user, clients);
    result = result === undefined ? v : op === "or" ? result || v : result && v;
  }
  return result ?? false;
}

// --- the network --------------------------------------------------------------------------------

async function latestBlock(client: PublicClient) {
  const b = await client.getBlock();
  return { blockhash: b.hash, timestamp: String(b.timestamp) };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  });
}

/** Starts the nodes, deploys the Staking stub announcing them, and returns how to connect. */
export async function startLocalLitNetwork(o: LocalLitNetworkOptions): Promise<LocalLitNetwork> {
  const n = o.nodes ?? 3;
  const t = o.threshold ?? 2;
  if (t < 2 || t > n) throw new Error("threshold must be between 2 and the node count (Lit combines at least two shares)");
  const clients: Clients = new Map();
  for (const [name, url] of Object.entries(o.chains)) {
    const client = createPublicClient({ transport: http(url) });
    const expected = CHAIN_ID_BY_LIT_CHAIN[name];
    const actual = await client.getChainId();
    // A node that evaluated "baseSepolia" against another chain would sign the wrong truth.
    if (expected !== undefined && actual !== expected) throw new Error(`RPC for ${name} serves chain ${actual}, not ${expected}`);
    clients.set(name, client);
  }
  // Shamir: f(x) = sk + a1·x + … + a_{t-1}·x^{t-1}; node i holds f(i).
  const coeffs = Array.from({ length: t }, () => Fr.fromBytes(bls.utils.randomSecretKey()));
  const share = (i: number) => coeffs.reduceRight((acc, c) => Fr.add(Fr.mul(acc, BigInt(i)), c), 0n);
  const publicKey = Buffer.from(bls.longSignatures.getPublicKey(Fr.toBytes(coeffs[0])).toBytes(true)).toString("hex");
  const shares = Array.from({ length: n }, (_, k) => share(k + 1));
  coeffs.length = 0; // the dealer forgets the polynomial; only the shares below remain

  const stats = { signed: 0, refused: 0, badAuth: 0, signedFor: new Map<Address, number>() };
  const servers: Server[] = [];
  const urls: string[] = [];

  for (let k = 0; k < n; k++) {
    const index = k + 1;
    const secret = shares[k];
    let url = "";
    const server = createServer(async (req, res) => {
      try {
        if (req.method === "GET" && req.url === "/get_most_recent_valid_block") {
          return send(res, 200, await latestBlock(clients.values().next().value!));
        }
        const body = await readJson(req);
        // Endpoint versions are a suffix the client appends ("/web/handshake/" for v0).
        const route = (req.url ?? "").replace(/\/(v\d+)?$/, "");
        if (req.method === "POST" && route === "/web/handshake") {
          const { blockhash } = await latestBlock(clients.values().next().value!);
          return send(res, 200, {
            serverPublicKey: Buffer.from(randomBytes(32)).toString("hex"),
            subnetPublicKey: publicKey,
            networkPublicKey: publicKey,
            networkPublicKeySet: publicKey,
            hdRootPubkeys: [],
            latestBlockhash: blockhash,
            nodeVersion: "onekey-local-1",
            epoch: 1,
          });
        }
        if (req.method === "POST" && route === "/web/encryption/sign") {
          if (!Array.isArray(body.evmContractConditions) || typeof body.dataToEncryptHash !== "string" || !/^[0-9a-f]{64}$/.test(body.dataToEncryptHash)) {
            throw new NodeRefusal(400, "InvalidArgumentException", "this node evaluates evmContractConditions with a sha256 dataToEncryptHash only");
          }
          const conditionsHash = createHash("sha256")
            .update(JSON.stringify(body.evmContractConditions.map(accs.canonicalEVMContractConditionFormatter)))
            .digest("hex");
          const identity = `${ACC_PREFIX}${conditionsHash}/${body.dataToEncryptHash}`;
          let user: Address;
          try {
            user = await authenticate(body.authSig, url, identity);
          } catch (e) {
            stats.badAuth++;
            throw e;
          }
          if (!(await evaluate(body.evmContractConditions, user, clients))) {
            stats.refused++;
            throw new NodeRefusal(401, "NodeAccessControlConditionsReturnedNotAuthorized", "The access control conditions did not pass.");
          }
          const point = bls.longSignatures.hash(new TextEncoder().encode(identity), POP_DST).multiply(secret);
          stats.signed++;
          const signer = getAddress(user);
          stats.signedFor.set(signer, (stats.signedFor.get(signer) ?? 0) + 1);
          return send(res, 200, {
            success: true,
            signatureShare: { ProofOfPossession: Buffer.concat([Buffer.from([index]), point.toBytes(true)]).toString("hex") },
            shareIndex: k,
          });
        }
        throw new NodeRefusal(404, "NotFound", `no route ${req.method} ${req.url}`);
      } catch (error) {
        const e = error instanceof NodeRefusal ? error : new NodeRefusal(500, "NodeUnknownError", (error as Error).message);
        send(res, e.status, { errorKind: e.status === 401 ? "Validation" : "Unexpected", errorCode: e.errorCode, status: e.status, message: e.message });
      }
    });
    const port = await listen(server);
    url = `http://127.0.0.1:${port}`;
    servers.push(server);
    urls.push(url);
  }

  const validators = urls.map((u) => ({ port: Number(new URL(u).port), nodeAddress: getAddress(`0x${randomBytes(20).toString("hex")}`) }));
  const address = await deployStakingStub(o.wallet, o.publicClient, { validators, threshold: t });
  const rpcUrl = (o.publicClient.transport as { url?: string }).url;
  if (!rpcUrl) throw new Error("the public client needs an http transport with a url");
  const close = (s: Server) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()));
  for (const s of servers) s.unref();
  return {
    contractContext: { Staking: { address, abi: stakingAbi } },
    rpcUrl,
    nodeUrls: urls,
    blockhashUrl: `${urls[0]}/get_most_recent_valid_block`,
    publicKey,
    threshold: t,
    stats,
    stopNode: async (i) => {
      servers[i].closeAllConnections();
      await close(servers[i]);
    },
    stop: async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map(close));
    },
  };
}
