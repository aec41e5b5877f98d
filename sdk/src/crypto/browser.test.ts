// The same crypto in headless Chromium and in Node, byte for byte: the published vectors run in
// the page (the vectors test file itself, bundled), records and grants made in Chromium open in
// Node and the reverse, and the browser key store keeps a wallet-derived key non-extractable in
// IndexedDB across a reload while a second device derives the same key. Skipped only when
// Chromium is not installed (scripts/setup.sh installs it).
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, http, keccak256, toHex as viemHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import type { Browser, Page } from "playwright-core";
import { bundleForBrowser, CHROMIUM_PATH, hasChromium, launchChromium, servePage, type PageServer } from "../../../scripts/lib/chromium.ts";
import { fromHex, toHex } from "./bytes.ts";
import { generateX25519KeyPair } from "./primitives.ts";
import { decryptRecord, encryptRecord, fieldKeysFor, fieldMaskOf, parseBundle } from "./record.ts";
import { granteeKeyOf } from "./release.ts";
import { grantContext, splitProjectWrap, unwrapKeys, wrapKeys } from "./wrap.ts";
import { FieldNotGrantedError } from "./errors.ts";
import { deriveEncryptionKey } from "../keys/index.ts";

const here = new URL(".", import.meta.url).pathname;
const ENTRY = `
import * as crypto from "./index.ts";
import * as keys from "../keys/index.ts";
import * as storage from "../storage/index.ts";
import * as flows from "../flows/index.ts";
import { createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
globalThis.onekey = { crypto, keys, storage, flows, viem: { createWalletClient, http, privateKeyToAccount, foundry } };
`;
const VECTORS_ENTRY = `
import { runCollected } from "vitest";
import * as vectors from "./vectors.test.ts"; // named: the package's sideEffects: false would drop a bare import
globalThis.runVectors = () => (void vectors, runCollected());
`;
// Types for code that runs in the page (erased; the page has the real modules).
type OneKey = {
  crypto: typeof import("./index.ts");
  keys: typeof import("../keys/index.ts");
  viem: { createWalletClient: typeof createWalletClient; http: typeof http; privateKeyToAccount: typeof privateKeyToAccount; foundry: typeof foundry };
};
type Win = { onekey: OneKey; runVectors(): Promise<{ name: string; error?: string }[]> };

const recordId = keccak256(viemHex("cross-runtime"));
const account = `0x${"ab".repeat(20)}` as const;
const KEY_A: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const nodeSha256 = (b: Uint8Array): Hex => `0x${createHash("sha256").update(b).digest("hex")}`;

describe("browser bundles (esbuild, platform browser)", () => {
  it("the browser entries (/crypto, /keys, /storage, /flows) bundle with no node:* import; the Node-only modules do not bundle", async () => {
    await expect(bundleForBrowser(ENTRY, here)).resolves.toContain("onekey");
    for (const nodeOnly of ["../keys/file-store.ts", "../keys/node.ts", "../storage/queue-file.ts"]) {
      await expect(bundleForBrowser(`export * from "${nodeOnly}";`, here), nodeOnly).rejects.toThrow(/node:|Could not resolve/);
    }
  }, 120_000);
});

describe.skipIf(!hasChromium())(`headless Chromium (${CHROMIUM_PATH})`, () => {
  let browser: Browser;
  let server: PageServer;
  let page: Page;

  beforeAll(async () => {
    const [bundle, vectors] = await Promise.all([
      bundleForBrowser(ENTRY, here),
      bundleForBrowser(VECTORS_ENTRY, here, { vitest: new URL("../../../scripts/lib/vitest-in-page.ts", import.meta.url).pathname }),
    ]);
    server = await servePage({ "/bundle.js": bundle, "/vectors.html": '<script type="module" src="/vectors.js"></script>', "/vectors.js": vectors });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "onekey" in globalThis);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("runs on WebCrypto with native X25519 in the page (a secure context)", async () => {
    expect(await page.evaluate(() => [isSecureContext, typeof crypto.subtle])).toEqual([true, "object"]);
    expect(await page.evaluate(() => (globalThis as unknown as Win).onekey.crypto.hasWebCryptoX25519())).toBe(true);
  });

  it("passes the NIST GCM, RFC 7748 and RFC 5869 vectors: the vectors test file itself, run in Chromium", async () => {
    const vectorsPage = await browser.newPage();
    try {
      await vectorsPage.goto(`${server.url}/vectors.html`);
      await vectorsPage.waitForFunction(() => "runVectors" in globalThis);
      const results = await vectorsPage.evaluate(() => (globalThis as unknown as Win).runVectors());
      expect(results.length).toBe(9);
      expect(results.filter((r) => r.error)).toEqual([]);
      expect(results.map((r) => r.name)).toContain("X25519 (RFC 7748) > §6.1 Diffie-Hellman: public keys and the shared secret");
      expect(results.map((r) => r.name)).toContain("HKDF-SHA256 (RFC 5869) > test case 1 through hkdfSync (the key wrap's HKDF)");
    } finally {
      await vectorsPage.close();
    }
  });

  it("a record and its grants sealed in Chromium open in Node", async () => {
    const [person, review, escrow] = await Promise.all([generateX25519KeyPair(), generateX25519KeyPair(), generateX25519KeyPair()]);
    const portrait = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const out = await page.evaluate(
      async ({ recordId, account, person, review, escrow, portrait }) => {
        const { crypto: c } = (globalThis as unknown as Win).onekey;
        const enc = await c.encryptRecord({
          recordId,
          version: 1,
          fields: { full_name: "Ada Lovelace", date_of_birth: "1815-12-10", portrait: c.fromHex(portrait) },
        });
        const mask = c.fieldMaskOf(enc.manifest, ["full_name", "portrait"]);
        const keys = [...(await c.fieldKeysFor(enc.dek, enc.manifest, mask)).values()];
        const accountGrant = await c.wrapKeys(c.fromHex(person), keys, c.grantContext(recordId, 1, c.granteeKeyOf({ account })));
        const projectKey = c.granteeKeyOf({ projectId: 7n });
        const projectGrant = [
          ...(await c.wrapKeys(c.fromHex(review), keys, c.grantContext(recordId, 1, projectKey))),
          ...(await c.wrapKeys(c.fromHex(escrow), keys, c.grantContext(recordId, 1, projectKey, "escrow"))),
        ];
        return {
          bundle: c.toHex(enc.bundle),
          contentHash: enc.contentHash,
          manifestHash: enc.manifestHash,
          dek: c.toHex(enc.dek),
          accountGrant: c.toHex(accountGrant),
          projectGrant: c.toHex(new Uint8Array(projectGrant)),
        };
      },
      { recordId, account, person: toHex(person.publicKey), review: toHex(review.publicKey), escrow: toHex(escrow.publicKey), portrait: toHex(portrait) },
    );

    const bundle = fromHex(out.bundle);
    // Hashes checked with node:crypto, an implementation independent of the one that made them.
    expect(out.contentHash).toBe(nodeSha256(bundle));
    expect(out.manifestHash).toBe(nodeSha256(parseBundle(bundle).manifestBytes));
    const accountGrant = fromHex(out.accountGrant);
    expect(accountGrant.length).toBe(48 + 32 * 2);
    const keys = await unwrapKeys(person.privateKey, person.publicKey, accountGrant, grantContext(recordId, 1, granteeKeyOf({ account })));
    const fieldKeys = new Map([
      ["full_name", keys[0]],
      ["portrait", keys[1]],
    ]);
    const granted = await decryptRecord({ bundle, recordId, version: 1, keys: { fieldKeys }, expectedContentHash: out.contentHash });
    expect(granted.full_name).toBe("Ada Lovelace");
    expect(Buffer.from(granted.portrait as Uint8Array).equals(Buffer.from(portrait))).toBe(true);
    await expect(decryptRecord({ bundle, recordId, version: 1, keys: { fieldKeys }, fields: ["date_of_birth"] })).rejects.toThrow(FieldNotGrantedError);

    const halves = splitProjectWrap(fromHex(out.projectGrant));
    const projectKey = granteeKeyOf({ projectId: 7n });
    expect(await unwrapKeys(review.privateKey, review.publicKey, halves.review, grantContext(recordId, 1, projectKey))).toEqual(keys);
    expect(await unwrapKeys(escrow.privateKey, escrow.publicKey, halves.escrow, grantContext(recordId, 1, projectKey, "escrow"))).toEqual(keys);
    const all = await decryptRecord({ bundle, recordId, version: 1, keys: { dek: fromHex(out.dek) } });
    expect(all.date_of_birth).toBe("1815-12-10");
  });

  it("a record and its grant sealed in Node open in Chromium; a wrong context or key is refused there", async () => {
    const person = await generateX25519KeyPair();
    const enc = await encryptRecord({ recordId, version: 3, fields: { full_name: "Grace Hopper", nationality: "US" } });
    const keys = [...(await fieldKeysFor(enc.dek, enc.manifest, fieldMaskOf(enc.manifest, ["nationality"]))).values()];
    const grant = await wrapKeys(person.publicKey, keys, grantContext(recordId, 3, granteeKeyOf({ account })));
    const out = await page.evaluate(
      async ({ recordId, account, bundle, grant, priv, pub, contentHash }) => {
        const { crypto: c } = (globalThis as unknown as Win).onekey;
        const ctx = c.grantContext(recordId, 3, c.granteeKeyOf({ account }));
        const [key] = await c.unwrapKeys(c.fromHex(priv), c.fromHex(pub), c.fromHex(grant), ctx);
        const fields = await c.decryptRecord({
          bundle: c.fromHex(bundle),
          recordId,
          version: 3,
          keys: { fieldKeys: new Map([["nationality", key]]) },
          expectedContentHash: contentHash,
        });
        const refused = await c.unwrapKeys(c.fromHex(priv), c.fromHex(pub), c.fromHex(grant), c.grantContext(recordId, 4, c.granteeKeyOf({ account }))).then(
          () => "opened",
          (e: Error) => e.name,
        );
        const hostile = await c.decryptRecord({ bundle: c.fromHex(bundle), recordId, version: 3, keys: { dek: new Uint8Array(32) } }).then(
          () => "opened",
          (e: Error) => e.name,
        );
        return { fields, refused, hostile };
      },
      {
        recordId,
        account,
        bundle: toHex(enc.bundle),
        grant: toHex(grant),
        priv: toHex(person.privateKey),
        pub: toHex(person.publicKey),
        contentHash: enc.contentHash,
      },
    );
    expect(out).toEqual({ fields: { nationality: "US" }, refused: "DecryptionFailedError", hostile: "DecryptionFailedError" });
  });

  it("browser key store: the wallet-derived key is kept non-extractable in IndexedDB, survives a reload, and a second device derives the same key", async () => {
    const derive = (p: Page) =>
      p.evaluate(async (KEY_A) => {
        const { keys: k, crypto: c, viem } = (globalThis as unknown as Win).onekey;
        const wallet = viem.createWalletClient({ account: viem.privateKeyToAccount(KEY_A), chain: viem.foundry, transport: viem.http("http://127.0.0.1:1") });
        const agreement = await k.loadOrDeriveKey(k.indexedDbKeyStore(), wallet);
        return c.toHex(agreement.publicKey);
      }, KEY_A);
    const publicKey = await derive(page);
    // Node derives the same key from the same wallet: the recovery path.
    const nodeWallet = createWalletClient({ account: privateKeyToAccount(KEY_A), chain: foundry, transport: http("http://127.0.0.1:1") });
    expect(toHex((await deriveEncryptionKey(nodeWallet)).publicKey)).toBe(publicKey);

    const stored = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open("onekey-keys");
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const entries = await new Promise<{ id: string; privateKey: CryptoKey }[]>((resolve) => {
        const r = db.transaction("keys").objectStore("keys").getAll();
        r.onsuccess = () => resolve(r.result);
      });
      const key = entries[0].privateKey;
      const exported = await crypto.subtle.exportKey("pkcs8", key).then(
        () => "exported",
        (e: Error) => e.name,
      );
      return { ids: entries.map((e) => e.id), isCryptoKey: key instanceof CryptoKey, extractable: key.extractable, exported };
    });
    expect(stored).toEqual({
      ids: [`derived:31337:${nodeWallet.account.address.toLowerCase()}:1`],
      isCryptoKey: true,
      extractable: false,
      exported: "InvalidAccessError",
    });

    const ctx = grantContext(recordId, 1, granteeKeyOf({ account: nodeWallet.account.address }));
    const dek = new Uint8Array(32).fill(0x5a);
    const wrapped = await wrapKeys(fromHex(publicKey), [dek], ctx);
    await page.reload();
    await page.waitForFunction(() => "onekey" in globalThis);
    const opened = await page.evaluate(
      async ({ id, wrapped, ctx }) => {
        const { keys: k, crypto: c } = (globalThis as unknown as Win).onekey;
        const store = k.indexedDbKeyStore();
        // No wallet here: after the reload the kept key alone unwraps.
        const agreement = await store.agreement(id);
        const [key] = await c.unwrapKeysWith(agreement!, c.fromHex(wrapped), c.fromHex(ctx));
        return { key: c.toHex(key), raw: await store.get(id), list: await store.list() };
      },
      { id: stored.ids[0], wrapped: toHex(wrapped), ctx: toHex(ctx) },
    );
    expect(opened).toEqual({ key: toHex(dek), raw: undefined, list: stored.ids });

    const otherDevice = await browser.newContext();
    try {
      const fresh = await otherDevice.newPage();
      await fresh.goto(server.url);
      await fresh.waitForFunction(() => "onekey" in globalThis);
      expect(await fresh.evaluate(() => (globalThis as unknown as Win).onekey.keys.indexedDbKeyStore().list())).toEqual([]);
      expect(await derive(fresh)).toBe(publicKey);
    } finally {
      await otherDevice.close();
    }
  });
});
