// Lit key release: the keys a grant discloses are encrypted by the Lit network's key under the
// record's on-chain conditions (../lit/conditions.ts). Opening asks the Lit nodes, which sign the
// decryption only while `hasAccess` (or, for a project grant, `hasAuditAccess`) holds on-chain.
//
// Production code passes the real, connected `LitNodeClient` of @lit-protocol/lit-node-client
// (v7, Datil); tests pass the same class connected to @onekey/devstack/lit/network.
import { createRequire } from "node:module";
import type { Address, Hex } from "viem";
import { MalformedWrappedKeyError } from "../crypto/errors.ts";
import { granteeKeyOf, type KeyRelease, type OpenKeysParameters, type SealKeysParameters } from "../crypto/release.ts";
import { encodeLitBlob, parseLitBlob } from "./blob.ts";
import { oneKeyConditions } from "./conditions.ts";
import { LitAccessDeniedError, LitAuthError, LitConditionMismatchError, LitNetworkError, LitNetworkMismatchError } from "./errors.ts";

const require = createRequire(import.meta.url);

/** What OneKey uses of a connected Lit client (LitNodeClient v7 satisfies it). */
export interface LitClientLike {
  config: { litNetwork: string };
  ready: boolean;
  /** The network's BLS encryption key (set by connect); what a ciphertext is bound to. */
  subnetPubKey: string | null;
  encrypt(p: { evmContractConditions: unknown[]; dataToEncrypt: Uint8Array }): Promise<{ ciphertext: string; dataToEncryptHash: string }>;
  decrypt(p: {
    evmContractConditions: unknown[];
    ciphertext: string;
    dataToEncryptHash: string;
    chain: string;
    sessionSigs: Record<string, unknown>;
  }): Promise<{ decryptedData: Uint8Array }>;
  // biome-ignore lint/suspicious/noExplicitAny: Lit's own types are an optional peer dependency; this structural seam does not name them
  getSessionSigs(p: any): Promise<Record<string, unknown>>;
  getLatestBlockhash(): Promise<string>;
}

/** Signs the SIWE capability that delegates decryption to a short-lived session key. A viem LocalAccount fits. */
export interface LitSigner {
  address: Address;
  signMessage(p: { message: string }): Promise<Hex>;
}

export type LitKeyReleaseParameters = {
  litClient: LitClientLike;
  /** Lit chain name the registry lives on ("base", "baseSepolia"): litChainOf(chainId). */
  chain: string;
  recordRegistry: Address;
  /** Needed to open: the wallet whose on-chain access the nodes check. */
  signer?: LitSigner;
  /** Session lifetime in ms (default 10 minutes); sessions are reused until then. */
  sessionMs?: number;
  /** Datil and datil-test charge decryptions to capacity credits: a delegation signed by their holder. */
  capacityDelegationAuthSig?: unknown;
};

// Lit 7.4.0's doDecrypt console.logs the combined BLS signature, i.e. the decryption key of that
// ciphertext. Drop exactly that line so keys never reach logs; everything else passes through.
let keyLogMuted = false;
function muteLitKeyLog(): void {
  if (keyLogMuted) return;
  keyLogMuted = true;
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (args[0] === "signature from encrypt op: ") return;
    return log.apply(console, args);
  };
}

function errorCode(error: unknown): string {
  type LitErrorShape = { info?: { errorCode?: unknown }; errorCode?: unknown; cause?: unknown };
  let e = error as LitErrorShape | undefined;
  for (let i = 0; e && i < 5; i++, e = e.cause as LitErrorShape | undefined) {
    const code = e.info?.errorCode ?? e.errorCode;
    if (typeof code === "string") return code;
  }
  return "";
}

function sessionSigner(p: LitKeyReleaseParameters) {
  const helpers = require("@lit-protocol/auth-helpers") as typeof import("@lit-protocol/auth-helpers");
  const { LIT_ABILITY } = require("@lit-protocol/constants") as typeof import("@lit-protocol/constants");
  let cached: { sigs: Record<string, unknown>; until: number } | undefined;
  const lifetime = p.sessionMs ?? 10 * 60_000;
  return async (): Promise<Record<string, unknown>> => {
    if (cached && cached.until > Date.now()) return cached.sigs;
    const signer = p.signer;
    if (!signer) throw new LitAuthError(new Error("this Lit key release has no signer to open grants with"));
    const expiration = new Date(Date.now() + lifetime).toISOString();
    const sigs = await p.litClient.getSessionSigs({
      chain: p.chain,
      expiration,
      ...(p.capacityDelegationAuthSig ? { capacityDelegationAuthSig: p.capacityDelegationAuthSig } : {}),
      resourceAbilityRequests: [{ resource: new helpers.LitAccessControlConditionResource("*"), ability: LIT_ABILITY.AccessControlConditionDecryption }],
      // biome-ignore lint/suspicious/noExplicitAny: Lit's own types are an optional peer dependency; this structural seam does not name them
      authNeededCallback: async ({ uri, expiration: exp, resourceAbilityRequests }: any) => {
        const toSign = await helpers.createSiweMessage({
          uri,
          expiration: exp,
          resources: resourceAbilityRequests,
          walletAddress: signer.address,
          nonce: await p.litClient.getLatestBlockhash(),
          // biome-ignore lint/suspicious/noExplicitAny: Lit's own types are an optional peer dependency; this structural seam does not name them
          litNodeClient: p.litClient as any,
        });
        return helpers.generateAuthSig({
          // biome-ignore lint/suspicious/noExplicitAny: Lit's own types are an optional peer dependency; this structural seam does not name them
          signer: { signMessage: (message: string) => signer.signMessage({ message }), getAddress: async () => signer.address } as any,
          toSign,
          address: signer.address,
        });
      },
    });
    cached = { sigs, until: Date.now() + lifetime - 60_000 };
    return sigs;
  };
}

/**
 * The network a ciphertext belongs to: Lit's name for public networks; for a custom network
 * (our own nodes, a test network) the name plus a prefix of its key, since "custom" alone would
 * not tell two of them apart.
 */
export function litNetworkId(client: Pick<LitClientLike, "config" | "subnetPubKey">): string {
  const name = client.config.litNetwork;
  return name === "custom" ? `custom:${(client.subnetPubKey ?? "").slice(0, 16)}` : name;
}

/** Key release through Lit: `seal` encrypts locally with the network key; `open` asks the nodes. */
export function litKeyRelease(p: LitKeyReleaseParameters): KeyRelease & { network: string } {
  const sessionSigs = sessionSigner(p);
  const network = litNetworkId(p.litClient);
  return {
    mode: "lit",
    network,
    async seal({ recordId, grantee, keys }: SealKeysParameters) {
      if (keys.length === 0 || keys.some((k) => k.length !== 32)) throw new MalformedWrappedKeyError("seal takes one or more 32-byte keys");
      const projectId = "projectId" in grantee ? grantee.projectId : undefined;
      const evmContractConditions = oneKeyConditions({ chain: p.chain, recordRegistry: p.recordRegistry, recordId, projectId });
      let sealed: Awaited<ReturnType<LitClientLike["encrypt"]>>;
      try {
        sealed = await p.litClient.encrypt({ evmContractConditions, dataToEncrypt: new Uint8Array(Buffer.concat(keys)) });
      } catch (cause) {
        throw new LitNetworkError("sealing a key", cause);
      }
      return encodeLitBlob({
        network,
        chain: p.chain,
        recordRegistry: p.recordRegistry,
        projectId,
        dataToEncryptHash: sealed.dataToEncryptHash,
        ciphertext: new Uint8Array(Buffer.from(sealed.ciphertext, "base64")),
      });
    },
    async open({ recordId, grantee, wrappedKey, keyCount, reader }: OpenKeysParameters) {
      const blob = parseLitBlob(wrappedKey);
      if (blob.network !== network) throw new LitNetworkMismatchError(blob.network, network);
      if (blob.chain !== p.chain || blob.recordRegistry.toLowerCase() !== p.recordRegistry.toLowerCase()) {
        throw new LitConditionMismatchError(`sealed for ${blob.chain}:${blob.recordRegistry}, this release serves ${p.chain}:${p.recordRegistry}`);
      }
      const projectId = "projectId" in grantee ? grantee.projectId : undefined;
      if (blob.projectId !== projectId) throw new LitConditionMismatchError(`the blob is not for grantee ${granteeKeyOf(grantee)}`);
      const evmContractConditions = oneKeyConditions({ chain: blob.chain, recordRegistry: blob.recordRegistry, recordId, projectId });
      muteLitKeyLog();
      let decryptedData: Uint8Array;
      try {
        ({ decryptedData } = await p.litClient.decrypt({
          evmContractConditions,
          chain: blob.chain,
          dataToEncryptHash: blob.dataToEncryptHash,
          ciphertext: Buffer.from(blob.ciphertext).toString("base64"),
          sessionSigs: await sessionSigs(),
        }));
      } catch (cause) {
        if (cause instanceof LitAuthError) throw cause;
        const code = errorCode(cause);
        if (/NotAuthorized/i.test(code)) throw new LitAccessDeniedError(recordId, reader, cause);
        if (/AuthSig|SessionSig|Signature/i.test(code)) throw new LitAuthError(cause);
        throw new LitNetworkError("opening a key", cause);
      }
      if (decryptedData.length !== 32 * keyCount) {
        throw new MalformedWrappedKeyError(`the grant's mask names ${keyCount} fields but Lit released ${decryptedData.length} bytes`);
      }
      return Array.from({ length: keyCount }, (_, i) => decryptedData.slice(32 * i, 32 * i + 32));
    },
  };
}

export type ConnectLitClientParameters = {
  /** "datil" (production), "datil-test"; "custom" with contractContext + rpcUrl for your own nodes. */
  network: string;
  contractContext?: unknown;
  rpcUrl?: string;
  connectTimeout?: number;
  /** Where the client fetches a recent block hash for SIWE nonces (Lit's block indexer by default). */
  blockhashUrl?: string;
};

/** A connected, real Lit v7 client. Loads @lit-protocol/lit-node-client only when called. */
export async function connectLitClient(p: ConnectLitClientParameters): Promise<LitClientLike & { disconnect(): Promise<void> }> {
  const { LitNodeClient } = require("@lit-protocol/lit-node-client") as typeof import("@lit-protocol/lit-node-client");
  const client = new LitNodeClient({
    // biome-ignore lint/suspicious/noExplicitAny: Lit's own types are an optional peer dependency; this structural seam does not name them
    litNetwork: p.network as any,
    debug: false,
    connectTimeout: p.connectTimeout ?? 20_000,
    // biome-ignore lint/suspicious/noExplicitAny: Lit's own types are an optional peer dependency; this structural seam does not name them
    ...(p.contractContext ? { contractContext: p.contractContext as any, checkNodeAttestation: false } : {}),
    ...(p.rpcUrl ? { rpcUrl: p.rpcUrl } : {}),
  });
  // An instance field of LitCore with no config option; set it so a local network never makes the
  // client reach for Lit's public indexer.
  if (p.blockhashUrl) (client as unknown as { _blockHashUrl: string })._blockHashUrl = p.blockhashUrl;
  try {
    await client.connect();
  } catch (cause) {
    throw new LitNetworkError(`connecting to Lit network "${p.network}"`, cause);
  }
  return client as unknown as LitClientLike & { disconnect(): Promise<void> };
}
