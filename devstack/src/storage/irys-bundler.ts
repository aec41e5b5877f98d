// A local Irys-compatible bundler backed by an Arweave gateway (arlocal), for tests and the local
// stack. The real `@irys/upload` client talks to it through `.bundlerUrl(url)`.
//
// It answers what that client sends (read from @irys/upload-core 0.0.10): GET /info, /public,
// /price/:token/:bytes, /account/balance/:token; POST /tx/:token (one signed ANS-104 data item);
// the chunked upload (GET /chunks/:token/-1/-1, POST /chunks/:token/:id/:offset, finish with
// POST /chunks/:token/:id/-1). Each accepted data item is signature-checked, then posted to the
// gateway inside an ANS-104 bundle (Bundle-Format=binary, Bundle-Version=2.0.0), which arlocal
// unbundles so the item is served under its own id. Like Irys, items up to 100 KiB are free;
// larger ones need a balance, credited here with `credit()` (no on-chain funding locally).
// Balance approvals work as on Irys: an item from the payer tagged `x-irys-approve-payment:
// <address>` + `x-amount` (+ `x-expire-seconds`) lets that address spend up to the amount of the
// payer's balance by sending `x-irys-paid-by: <payer>` with its upload; `x-irys-delete-payment-
// approval` revokes; `GET /account/approval` reads one. CORS is open, so browser tabs can upload.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import Arweave from "arweave";
import type { JWKInterface } from "arweave/node/lib/wallet.js";
import { ArweaveSigner, DataItem, bundleAndSignData, deepHash, keccak256, stringToBuffer } from "@irys/bundles";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";

export interface LocalIrysBundler {
  url: string;
  port: number;
  /** The bundler's EVM address (what /info reports as the funding address). */
  address: string;
  /** Adds `amount` atomic units (wei) to `address`'s balance for `token`. */
  credit(token: string, address: string, amount: bigint): void;
  /** Data items accepted so far, by base64url id. */
  readonly received: ReadonlySet<string>;
  stop(): Promise<void>;
}

export interface StartLocalIrysBundlerOptions {
  /** The Arweave gateway that stores the bundles (an arlocal URL). */
  arweaveUrl: string;
  /** Default: a free port chosen by the OS. */
  port?: number;
  /** Items up to this many bytes are free (Irys: 100 KiB). */
  freeBytes?: number;
  /** Price per byte above the free size, in atomic units (wei). */
  pricePerByte?: bigint;
  /** Largest accepted data item. */
  maxItemBytes?: number;
  /** Mine a block on arlocal after each bundle so items are readable at once (default true). */
  mine?: boolean;
}

const TOKENS = ["ethereum", "base-eth", "matic", "arbitrum", "bnb", "avalanche", "usdc-eth", "usdc-polygon"];
const CHUNK_SESSION_TTL_MS = 10 * 60_000;

type Approval = { amount: bigint; expiresBy?: number; timestamp: number };
type ChunkSession = { chunks: Map<number, Buffer>; bytes: number; size?: number; touched: number };

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startLocalIrysBundler(options: StartLocalIrysBundlerOptions): Promise<LocalIrysBundler> {
  const gateway = options.arweaveUrl.replace(/\/+$/, "");
  const url = new URL(gateway);
  const arweave = Arweave.init({ host: url.hostname, port: Number(url.port || 80), protocol: url.protocol.replace(":", "") });
  const freeBytes = options.freeBytes ?? 100 * 1024;
  const pricePerByte = options.pricePerByte ?? 1_000_000n;
  const maxItemBytes = options.maxItemBytes ?? 256 * 1024 * 1024;
  const jwk = await arweave.wallets.generate();
  const signer = new ArweaveSigner(jwk as never);
  const arAddress = await arweave.wallets.jwkToAddress(jwk);
  const evmAddress = privateKeyToAddress(generatePrivateKey());
  const balances = new Map<string, bigint>();
  const received = new Set<string>();
  const sessions = new Map<string, ChunkSession>();
  // `${token}:${payer}:${approved}` (addresses lower-case) -> what is left of the approval.
  const approvals = new Map<string, Approval>();
  const approvalKey = (token: string, payer: string, approved: string) => `${token}:${payer.toLowerCase()}:${approved.toLowerCase()}`;
  let posting: Promise<unknown> = Promise.resolve();

  const priceOf = (bytes: number) => (bytes <= freeBytes ? 0n : BigInt(bytes) * pricePerByte);
  const balanceKey = (token: string, address: string) => `${token}:${address.toLowerCase()}`;

  async function receiptFor(id: string) {
    const info = await fetch(`${gateway}/info`)
      .then((r) => r.json() as Promise<{ height: number }>)
      .catch(() => ({ height: 0 }));
    const deadlineHeight = info.height + 200;
    const timestamp = Date.now();
    const version = "1.0.0";
    const hash = await deepHash([
      stringToBuffer("Bundlr"),
      stringToBuffer(version),
      stringToBuffer(id),
      stringToBuffer(String(deadlineHeight)),
      stringToBuffer(String(timestamp)),
    ]);
    const signature = Buffer.from(await signer.sign(hash)).toString("base64url");
    return { id, timestamp, version, public: jwk.n, signature, deadlineHeight, validatorSignatures: [] };
  }

  async function postBundle(item: DataItem) {
    // A DataItem parsed from bytes does not know it is signed, and bundleAndSignData would re-sign
    // it with the bundler's key (corrupting the client's signature). Setting the id marks it signed.
    // biome-ignore lint/correctness/noSelfAssign: the setter marks the parsed item as signed (see above)
    item.rawId = item.rawId;
    const bundle = await bundleAndSignData([item], signer);
    const tx = await arweave.createTransaction({ data: bundle.getRaw() }, jwk as JWKInterface);
    tx.addTag("Bundle-Format", "binary");
    tx.addTag("Bundle-Version", "2.0.0");
    await arweave.transactions.sign(tx, jwk as JWKInterface);
    // arlocal charges the bundler's wallet; minting is free there.
    await fetch(`${gateway}/mint/${arAddress}/${10n ** 15n}`);
    const uploader = await arweave.transactions.getUploader(tx);
    while (!uploader.isComplete) {
      await uploader.uploadChunk();
      if (uploader.lastResponseStatus >= 300) throw new HttpError(503, `gateway answered ${uploader.lastResponseStatus}`);
    }
    if (options.mine ?? true) {
      const mined = await fetch(`${gateway}/mine`);
      if (!mined.ok) throw new HttpError(503, `gateway mine answered ${mined.status}`);
    }
  }

  /** Checks, charges and stores one signed data item; returns the Irys-style receipt. */
  async function accept(token: string, raw: Buffer, paidBy?: string) {
    if (raw.length > maxItemBytes) throw new HttpError(413, `data item over ${maxItemBytes} bytes`);
    let valid = false;
    try {
      valid = await DataItem.verify(raw);
    } catch {
      valid = false;
    }
    if (!valid) throw new HttpError(400, "Invalid data item: bad format or signature");
    const item = new DataItem(raw);
    const id = item.rawId.toString("base64url");
    if (received.has(id)) return { status: 201, body: `Transaction ${id} already received` };
    const owner = ownerAddress(item);
    const price = priceOf(raw.length);
    if (paidBy !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(paidBy)) throw new HttpError(400, "x-irys-paid-by must be an EVM address");
    const payer = paidBy ?? owner;
    const key = balanceKey(token, payer);
    const approval = paidBy ? approvals.get(approvalKey(token, paidBy, owner)) : undefined;
    if (price > 0n && paidBy && paidBy.toLowerCase() !== owner.toLowerCase()) {
      const live = approval && (approval.expiresBy === undefined || approval.expiresBy > Date.now());
      if (!live || approval.amount < price) throw new HttpError(402, `Not enough approved balance from ${paidBy} for transaction`);
    }
    if (price > 0n && (balances.get(key) ?? 0n) < price) throw new HttpError(402, "Not enough balance for transaction");
    // One bundle at a time: arlocal's sqlite store is not built for concurrent unbundling.
    const run = posting.then(() => postBundle(item));
    posting = run.catch(() => undefined);
    await run;
    if (price > 0n) balances.set(key, (balances.get(key) ?? 0n) - price);
    if (price > 0n && approval && paidBy?.toLowerCase() !== owner.toLowerCase()) approval.amount -= price;
    recordApprovals(token, owner, item.tags);
    received.add(id);
    return { status: 200, body: await receiptFor(id) };
  }

  /** Approval tags on an accepted item take effect for its owner (the payer), as on Irys. */
  function recordApprovals(token: string, payer: string, tags: { name: string; value: string }[]) {
    const tag = (n: string) => tags.find((t) => t.name === n)?.value;
    const approved = tag("x-irys-approve-payment");
    const amount = tag("x-amount");
    if (approved && /^0x[0-9a-fA-F]{40}$/.test(approved) && amount && /^\d{1,78}$/.test(amount)) {
      const expire = Number(tag("x-expire-seconds"));
      approvals.set(approvalKey(token, payer, approved), {
        amount: BigInt(amount),
        timestamp: Date.now(),
        expiresBy: Number.isSafeInteger(expire) && expire > 0 ? Date.now() + expire * 1000 : undefined,
      });
    }
    const revoked = tag("x-irys-delete-payment-approval");
    if (revoked) approvals.delete(approvalKey(token, payer, revoked));
  }

  function sessionOf(id: string): ChunkSession {
    const session = sessions.get(id);
    if (!session) throw new HttpError(404, "Upload ID not found");
    session.touched = Date.now();
    return session;
  }

  async function route(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const u = new URL(req.url ?? "/", "http://localhost");
    const parts = u.pathname.split("/").filter(Boolean);
    const method = req.method ?? "GET";
    if (method === "GET" && (parts.length === 0 || parts[0] === "info")) {
      return { status: 200, body: { version: "onekey-local-0.1.0", gateway: url.host, addresses: Object.fromEntries(TOKENS.map((t) => [t, evmAddress])) } };
    }
    if (method === "GET" && parts[0] === "public") return { status: 200, body: jwk.n };
    if (method === "GET" && parts[0] === "price" && parts.length === 3) {
      const bytes = Number(parts[2]);
      if (!Number.isSafeInteger(bytes) || bytes < 0) throw new HttpError(400, "bytes must be a non-negative integer");
      return { status: 200, body: priceOf(bytes).toString() };
    }
    if (method === "GET" && parts[0] === "account" && parts[1] === "balance") {
      const address = u.searchParams.get("address");
      if (!address) throw new HttpError(400, "address is required");
      return { status: 200, body: { balance: (balances.get(balanceKey(parts[2] ?? "ethereum", address)) ?? 0n).toString() } };
    }
    if (method === "POST" && parts[0] === "account" && parts[1] === "balance") {
      throw new HttpError(400, "Funding is not supported by the local bundler; items up to the free size need none");
    }
    if (method === "GET" && parts[0] === "account" && parts[1] === "approval") {
      const [payer, approved, token] = ["payingAddress", "approvedAddress", "token"].map((k) => u.searchParams.get(k));
      if (!payer || !approved || !token) throw new HttpError(400, "payingAddress, approvedAddress and token are required");
      const a = approvals.get(approvalKey(token, payer, approved));
      if (!a || (a.expiresBy !== undefined && a.expiresBy <= Date.now())) throw new HttpError(404, "No approval");
      return {
        status: 200,
        body: { amount: a.amount.toString(), payingAddress: payer, approvedAddress: approved, token, timestamp: a.timestamp, expiresBy: a.expiresBy },
      };
    }
    if (method === "POST" && parts[0] === "tx" && parts.length === 2) return accept(parts[1], await readBody(req, maxItemBytes), paidByOf(req));
    if (parts[0] === "chunks" && parts.length === 4) return chunkRoute(method, parts[1], parts[2], Number(parts[3]), req);
    throw new HttpError(404, `no route ${method} ${u.pathname}`);
  }

  async function chunkRoute(method: string, token: string, id: string, offset: number, req: IncomingMessage) {
    const limits = { min: 1, max: 100_000_000 };
    if (method === "GET" && id === "-1") {
      const fresh = randomUUID();
      sessions.set(fresh, { chunks: new Map(), bytes: 0, touched: Date.now() });
      return { status: 200, body: { id: fresh, ...limits, chunks: [] } };
    }
    const session = sessionOf(id);
    if (method === "GET") {
      const chunks = [...session.chunks].map(([o, c]) => [String(o), c.length]);
      return { status: 200, body: { id, size: session.size ?? 0, ...limits, chunks } };
    }
    if (method !== "POST") throw new HttpError(405, "method not allowed");
    if (offset === -1) {
      sessions.delete(id);
      return accept(token, assemble(session), paidByOf(req));
    }
    if (!Number.isSafeInteger(offset) || offset < 0) throw new HttpError(400, "bad offset");
    const chunk = await readBody(req, limits.max);
    if (session.bytes + chunk.length > maxItemBytes) throw new HttpError(413, `upload over ${maxItemBytes} bytes`);
    session.size ??= chunk.length;
    session.bytes += chunk.length - (session.chunks.get(offset)?.length ?? 0);
    session.chunks.set(offset, chunk);
    return { status: 200, body: "OK" };
  }

  const server: Server = createServer((req, res) => {
    // Open CORS, as Irys' nodes answer, so that a browser tab on another origin can upload.
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-allow-headers", "content-type, x-irys-paid-by, x-chunking-version");
    res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    for (const [id, s] of sessions) if (Date.now() - s.touched > CHUNK_SESSION_TTL_MS) sessions.delete(id);
    route(req).then(
      ({ status, body }) => send(res, status, body),
      (error: unknown) => send(res, error instanceof HttpError ? error.status : 500, error instanceof Error ? error.message : "error"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    address: evmAddress,
    received,
    credit(token, address, amount) {
      const key = balanceKey(token, address);
      balances.set(key, (balances.get(key) ?? 0n) + amount);
    },
    async stop() {
      sessions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await posting;
    },
  };
}

function paidByOf(req: IncomingMessage): string | undefined {
  const v = req.headers["x-irys-paid-by"];
  return typeof v === "string" && v ? v : undefined;
}

function assemble(session: ChunkSession): Buffer {
  const offsets = [...session.chunks.keys()].sort((a, b) => a - b);
  let expected = 0;
  for (const o of offsets) {
    if (o !== expected) throw new HttpError(400, `missing bytes at offset ${expected}`);
    expected += session.chunks.get(o)!.length;
  }
  return Buffer.concat(offsets.map((o) => session.chunks.get(o)!));
}

/** The payer's address: an EVM address for Ethereum-signed items, else the Arweave-style owner hash. */
function ownerAddress(item: DataItem): string {
  const owner = item.rawOwner;
  // Ethereum signers (types 3 and 7) put the 65-byte uncompressed public key in the owner field.
  if (owner.length === 65 && owner[0] === 4)
    return `0x${Buffer.from(keccak256(owner.subarray(1)))
      .subarray(-20)
      .toString("hex")}`;
  return Buffer.from(owner).toString("base64url");
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `body over ${limit} bytes`);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

function send(res: ServerResponse, status: number, body: unknown) {
  if (typeof body === "string") {
    res.writeHead(status, { "content-type": "text/plain" }).end(body);
  } else {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }
}
