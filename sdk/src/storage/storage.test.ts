import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { Hex } from "viem";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startArlocal, type LocalArweave } from "./arlocal.ts";
import { arweaveStorage, generateArweaveWallet, arweaveAddress } from "./arweave.ts";
import { bytes32ToStorageId, storageIdToBytes32 } from "./ids.ts";
import { downloadVerified } from "./verify.ts";
import { InvalidStorageIdError, StorageIdNotFoundError, StorageUploadError } from "./errors.ts";
import { ContentHashMismatchError } from "../crypto/errors.ts";
import { sha256Hex } from "../crypto/bytes.ts";
import type { StorageProvider } from "./types.ts";

describe("storage ids", () => {
  it("convert base64url ids and raw 32 bytes exactly both ways", () => {
    for (let i = 0; i < 50; i++) {
      const raw = randomBytes(32);
      const id = raw.toString("base64url");
      expect(storageIdToBytes32(id)).toBe(`0x${raw.toString("hex")}`);
      expect(bytes32ToStorageId(`0x${raw.toString("hex")}`)).toBe(id);
    }
  });

  it("refuse anything else", () => {
    expect(() => storageIdToBytes32("short")).toThrow(InvalidStorageIdError);
    expect(() => storageIdToBytes32("+".repeat(43))).toThrow(InvalidStorageIdError);
    expect(() => bytes32ToStorageId("0x1234")).toThrow(InvalidStorageIdError);
  });
});

describe("arweave provider against a real arlocal", () => {
  let arlocal: LocalArweave;
  let storage: StorageProvider;
  beforeAll(async () => {
    arlocal = await startArlocal({ port: await freePort() });
    const wallet = await generateArweaveWallet();
    await arlocal.mint(await arweaveAddress(wallet));
    storage = arweaveStorage({ url: arlocal.url, wallet, mine: true });
  });
  afterAll(async () => {
    await arlocal?.stop();
  });

  it("uploads ciphertext and downloads the same bytes, verified against the content hash", async () => {
    const data = new Uint8Array(randomBytes(300_000));
    const { storageId, nativeId } = await storage.upload(data, [{ name: "App-Name", value: "OneKey" }]);
    expect(bytes32ToStorageId(storageId)).toBe(nativeId);
    expect(await storage.download(storageId)).toEqual(data);
    expect(await downloadVerified(storage, storageId, sha256Hex(data))).toEqual(data);
  });

  it("refuses bytes that do not match the on-chain hash", async () => {
    const { storageId } = await storage.upload(new Uint8Array([1, 2, 3]));
    const wrong: Hex = `0x${"ab".repeat(32)}`;
    await expect(downloadVerified(storage, storageId, wrong)).rejects.toThrow(ContentHashMismatchError);
  });

  it("names a storage id that holds nothing", async () => {
    await expect(storage.download(`0x${"77".repeat(32)}`)).rejects.toThrow(StorageIdNotFoundError);
  });

  it("reports an unreachable gateway as an upload error", async () => {
    const dead = arweaveStorage({ url: `http://127.0.0.1:${await freePort()}`, wallet: await generateArweaveWallet() });
    await expect(dead.upload(new Uint8Array([1]))).rejects.toThrow(StorageUploadError);
  });
});
