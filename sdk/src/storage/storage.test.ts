// Both providers against real servers: arlocal, and the real @irys/upload client talking to our
// local Irys-compatible bundler (which stores into that arlocal). No mocked HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { createData, EthereumSigner } from "@irys/bundles";
import { Utils } from "@irys/upload-core";
import * as irysBundles from "@irys/bundles";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startArlocal, type LocalArweave } from "@onekey/devstack/storage/arlocal";
import { startLocalIrysBundler, type LocalIrysBundler } from "@onekey/devstack/storage/irys-bundler";
import { arweaveStorage, generateArweaveWallet, arweaveAddress } from "./arweave.ts";
import { irysStorage } from "./irys.ts";
import { irysWebStorage } from "./irys-web.ts";
import { privateKeyToAccount } from "viem/accounts";
import { base58Decode, base58Encode, bytes32ToStorageId, storageIdToBytes32 } from "./ids.ts";
import { contentHashOf, downloadVerified } from "./verify.ts";
import { InvalidStorageIdError, InvalidUploadInputError, StorageIdNotFoundError, StorageInsufficientBalanceError, StorageUploadError } from "./errors.ts";
import { ContentHashMismatchError } from "../crypto/errors.ts";
import type { StorageProvider } from "./types.ts";

/** Byte equality without vitest's element-by-element diff (slow on 100 KB+ arrays). */
const sameBytes = (actual: Uint8Array, expected: Uint8Array) =>
  expect(Buffer.from(actual).equals(Buffer.from(expected)), `${actual.length} bytes vs ${expected.length}`).toBe(true);

const hex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString("hex")}`;

describe("storage ids", () => {
  it("convert base64url and base58 ids and raw 32 bytes exactly both ways", () => {
    const samples = [Buffer.alloc(32), Buffer.alloc(32, 0xff), Buffer.concat([Buffer.alloc(3), randomBytes(29)])];
    for (let i = 0; i < 200; i++) samples.push(randomBytes(32));
    for (const raw of samples) {
      const b64 = raw.toString("base64url");
      expect(storageIdToBytes32(b64)).toBe(hex(raw));
      expect(bytes32ToStorageId(hex(raw))).toBe(b64);
      const b58 = bytes32ToStorageId(hex(raw), "base58");
      expect(storageIdToBytes32(b58, "base58")).toBe(hex(raw));
    }
  });

  it("agree with @irys/bundles' base58 DataItem ids", async () => {
    const signer = new EthereumSigner(randomBytes(32).toString("hex"));
    const item = createData(Buffer.from("x"), signer);
    await item.sign(signer);
    expect(base58Encode(item.rawId)).toBe(item.id);
    expect(Buffer.from(base58Decode(item.id))).toEqual(item.rawId);
  });

  it("refuse anything that does not round-trip", () => {
    expect(() => storageIdToBytes32("short")).toThrow(InvalidStorageIdError);
    expect(() => storageIdToBytes32("+".repeat(43))).toThrow(InvalidStorageIdError);
    // Same bytes as "AAAA…A" but with stray low bits in the last character: not canonical.
    expect(() => storageIdToBytes32(`${"A".repeat(42)}B`)).toThrow(InvalidStorageIdError);
    expect(() => storageIdToBytes32("0OIl", "base58")).toThrow(InvalidStorageIdError);
    expect(() => storageIdToBytes32(base58Encode(randomBytes(31)), "base58")).toThrow(InvalidStorageIdError);
    expect(() => bytes32ToStorageId("0x1234")).toThrow(InvalidStorageIdError);
  });
});

describe("storage providers against arlocal and the local Irys bundler", () => {
  let arlocal: LocalArweave;
  let bundler: LocalIrysBundler;
  const irysKey: Hex = hex(randomBytes(32));
  const providers: Record<string, StorageProvider> = {};

  beforeAll(async () => {
    arlocal = await startArlocal();
    bundler = await startLocalIrysBundler({ arweaveUrl: arlocal.url });
    const wallet = await generateArweaveWallet();
    await arlocal.mint(await arweaveAddress(wallet));
    providers.arweave = arweaveStorage({ url: arlocal.url, wallet, mine: true });
    providers.irys = irysStorage({ privateKey: irysKey, bundler: bundler.url, gatewayUrl: arlocal.url });
    // The browser's Irys client (fetch + ANS-104 signed here), run in Node: the same checks.
    providers["irys-web"] = irysWebStorage({ bundlerUrl: bundler.url, account: privateKeyToAccount(hex(randomBytes(32))), gatewayUrl: arlocal.url });
  });
  afterAll(async () => {
    await bundler?.stop();
    await arlocal?.stop();
  });

  const tagged = async (name: string, value: string) => {
    const res = await fetch(`${arlocal.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ transactions(tags: [{ name: "${name}", values: ["${value}"] }]) { edges { node { id } } } }` }),
    });
    const body = (await res.json()) as { data: { transactions: { edges: { node: { id: string } }[] } } };
    return body.data.transactions.edges.map((e) => e.node.id);
  };

  describe.each(["arweave", "irys", "irys-web"])("%s", (which) => {
    const storage = () => providers[which];

    it("round-trips bytes and tags, reporting progress and the id before sending", async () => {
      const data = new Uint8Array(randomBytes(which === "arweave" ? 600_000 : 90_000));
      const marker = randomBytes(8).toString("hex");
      const progress: number[] = [];
      let prepared: string | undefined;
      const result = await storage().upload(data, [{ name: "OneKey-Test", value: marker }], {
        onPrepared: (r) => void (prepared = r.nativeId),
        onProgress: (sent, total) => {
          expect(total).toBe(data.length);
          progress.push(sent);
        },
      });
      expect(prepared).toBe(result.nativeId);
      expect(bytes32ToStorageId(result.storageId)).toBe(result.nativeId);
      expect(progress.at(-1)).toBe(data.length);
      expect([...new Set(progress)].sort((a, b) => a - b)).toEqual(progress); // rising, each figure once
      if (which === "arweave") expect(new Set(progress).size).toBeGreaterThan(2); // chunked: real intermediate progress
      expect(await storage().exists(result.storageId)).toBe(true);
      sameBytes(await storage().download(result.storageId, { contentHash: await contentHashOf(data) }), data);
      sameBytes(await downloadVerified(storage(), result.storageId, await contentHashOf(data)), data);
      expect(await tagged("OneKey-Test", marker)).toEqual([result.nativeId]);
    });

    it("refuses bytes that do not match the expected content hash", async () => {
      const { storageId } = await storage().upload(new Uint8Array([1, 2, 3]));
      const wrong: Hex = `0x${"ab".repeat(32)}`;
      await expect(storage().download(storageId, { contentHash: wrong })).rejects.toThrow(ContentHashMismatchError);
      await expect(downloadVerified(storage(), storageId, wrong)).rejects.toThrow(ContentHashMismatchError);
    });

    it("names a storage id that holds nothing", async () => {
      const ghost: Hex = hex(randomBytes(32));
      await expect(storage().download(ghost)).rejects.toThrow(StorageIdNotFoundError);
      expect(await storage().exists(ghost)).toBe(false);
    });

    it("refuses bad input before sending anything", async () => {
      // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
      await expect(storage().upload("text")).rejects.toThrow(InvalidUploadInputError);
      await expect(storage().upload(new Uint8Array([1]), [{ name: "", value: "x" }])).rejects.toThrow(InvalidUploadInputError);
      await expect(storage().download("0x12" as Hex)).rejects.toThrow(InvalidStorageIdError);
    });
  });

  it("arweave: an unreachable gateway is an upload error", async () => {
    const dead = arweaveStorage({ url: `http://127.0.0.1:${await freePort()}`, wallet: await generateArweaveWallet() });
    await expect(dead.upload(new Uint8Array([1]))).rejects.toThrow(StorageUploadError);
  });

  it("irys-web: an unreachable bundler is an upload error; a bad account or payer is refused up front", async () => {
    const account = privateKeyToAccount(hex(randomBytes(32)));
    const dead = irysWebStorage({ bundlerUrl: `http://127.0.0.1:${await freePort()}`, account, gatewayUrl: arlocal.url });
    await expect(dead.upload(new Uint8Array([1]))).rejects.toThrow(StorageUploadError);
    expect(() => irysWebStorage({ bundlerUrl: bundler.url, account, paidBy: "0x1234" as Hex })).toThrow(InvalidUploadInputError);
    // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
    expect(() => irysWebStorage({ bundlerUrl: bundler.url, account: { address: account.address } })).toThrow(InvalidUploadInputError);
    // Over the free size with a payer that approved nothing: refused by name, nothing stored.
    const before = bundler.received.size;
    const unpaid = irysWebStorage({ bundlerUrl: bundler.url, account, paidBy: privateKeyToAddress(hex(randomBytes(32))), gatewayUrl: arlocal.url });
    await expect(unpaid.upload(new Uint8Array(randomBytes(200_000)))).rejects.toThrow(StorageInsufficientBalanceError);
    expect(bundler.received.size).toBe(before);
  });

  it("irys: over 100 KiB needs a balance, like Irys; the chunked path reports progress per chunk", async () => {
    const data = new Uint8Array(randomBytes(300_000));
    const before = bundler.received.size;
    await expect(providers.irys.upload(data)).rejects.toThrow(StorageInsufficientBalanceError);
    expect(bundler.received.size).toBe(before);

    bundler.credit("base-eth", privateKeyToAddress(irysKey), 10n ** 18n);
    const chunked = irysStorage({ privateKey: irysKey, bundler: bundler.url, gatewayUrl: arlocal.url, chunkThreshold: 1, chunkSize: 64 * 1024 });
    const progress: number[] = [];
    const { storageId } = await chunked.upload(data, [], { onProgress: (sent) => progress.push(sent) });
    expect(new Set(progress).size).toBeGreaterThan(3);
    expect([...new Set(progress)].sort((a, b) => a - b)).toEqual(progress); // rising, each figure once
    sameBytes(await chunked.download(storageId, { contentHash: await contentHashOf(data) }), data);
  });

  it("irys bundler: checks data-item signatures and signs receipts the Irys client verifies", async () => {
    const signer = new EthereumSigner(randomBytes(32).toString("hex"));
    const item = createData(Buffer.from("receipt check"), signer, { tags: [{ name: "Content-Type", value: "text/plain" }] });
    await item.sign(signer);
    const tampered = Buffer.from(item.getRaw());
    tampered[tampered.length - 1] ^= 1;
    const bad = await fetch(`${bundler.url}/tx/ethereum`, { method: "POST", body: new Uint8Array(tampered) });
    expect(bad.status).toBe(400);
    expect(bundler.received.has(item.rawId.toString("base64url"))).toBe(false);

    const ok = await fetch(`${bundler.url}/tx/ethereum`, { method: "POST", body: new Uint8Array(item.getRaw()) });
    expect(ok.status).toBe(200);
    const receipt = (await ok.json()) as Parameters<typeof Utils.verifyReceipt>[1];
    expect(receipt.id).toBe(item.rawId.toString("base64url"));
    // `as never`: @irys/upload-core types its own pinned copy of @irys/bundles; the functions are the same.
    expect(await Utils.verifyReceipt(irysBundles as never, receipt)).toBe(true);
    // `as never`: as above.
    expect(await Utils.verifyReceipt(irysBundles as never, { ...receipt, timestamp: receipt.timestamp + 1 })).toBe(false);
    // The same item again is "already received" (201), as on Irys, and not stored twice.
    expect((await fetch(`${bundler.url}/tx/ethereum`, { method: "POST", body: new Uint8Array(item.getRaw()) })).status).toBe(201);
  });
});
