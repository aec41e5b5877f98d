// Ciphertext storage from the browser through @onekey/sdk/storage, as the network's config says:
// - arweave (default): an Arweave gateway; the upload wallet is a throwaway generated in memory
//   for this tab (it pays storage, owns nothing of the person's); on the local chain it is funded
//   with arlocal's test AR.
// - irys: an Irys bundler; items are signed by a throwaway EVM key of this tab (not the person's
//   wallet: no signature prompt per upload, and nothing links the upload to the person). Above
//   Irys' free size the sponsor pays: its backend approves this key to spend its Irys balance.
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { arweaveAddress, arweaveStorage, generateArweaveWallet, irysWebStorage, type StorageProvider } from "@onekey/sdk/storage";
import type { NetworkConfig } from "./config.ts";
import { AppError } from "./errors.ts";

const cache = new Map<string, Promise<StorageProvider>>();

export function storageFor(network: NetworkConfig): Promise<StorageProvider> {
  const key = `${network.chainId}:${network.storage.kind}:${network.storage.kind === "irys" ? network.storage.bundlerUrl : network.storageUrls[0]}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = network.storage.kind === "irys" ? openIrys(network) : open(network);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

const unreachable = (cause?: unknown) => new AppError("The storage service is not reachable.", "Your form and files are kept. Try again in a moment.", cause);

async function open(network: NetworkConfig): Promise<StorageProvider> {
  const wallet = await generateArweaveWallet();
  const url = network.storageUrls[0];
  if (network.storageDev) {
    const res = await fetch(`${url}/mint/${await arweaveAddress(wallet)}/1000000000000000`).catch((cause: unknown) => {
      throw unreachable(cause);
    });
    if (!res.ok) throw unreachable();
  }
  return arweaveStorage({ url, wallet, mine: network.storageDev });
}

async function openIrys(network: NetworkConfig): Promise<StorageProvider> {
  if (network.storage.kind !== "irys") throw new Error("not an Irys network");
  const { bundlerUrl, token, paidBy, approvalUrl } = network.storage;
  const account = privateKeyToAccount(generatePrivateKey());
  if (approvalUrl) {
    const res = await fetch(approvalUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: account.address, token }),
    }).catch((cause: unknown) => {
      throw unreachable(cause);
    });
    if (!res.ok) {
      throw new AppError(
        "The organisation did not agree to pay for storing your documents.",
        "Your form and files are kept. Try again later, or ask the organisation.",
      );
    }
  }
  return irysWebStorage({ bundlerUrl, account, token, paidBy, gatewayUrl: network.storageUrls[0] });
}
