// Ciphertext storage from the browser: an Arweave gateway through @onekey/sdk/storage. The upload
// wallet is a throwaway generated in memory for this tab (it pays storage, owns nothing of the
// person's); on the local chain it is funded with arlocal's test AR.
import { arweaveAddress, arweaveStorage, generateArweaveWallet, type StorageProvider } from "@onekey/sdk/storage";
import type { NetworkConfig } from "./config.ts";
import { AppError } from "./errors.ts";

const cache = new Map<string, Promise<StorageProvider>>();

export function storageFor(network: NetworkConfig): Promise<StorageProvider> {
  const key = `${network.chainId}:${network.storageUrls[0]}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = open(network);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

async function open(network: NetworkConfig): Promise<StorageProvider> {
  const wallet = await generateArweaveWallet();
  const url = network.storageUrls[0];
  if (network.storageDev) {
    const res = await fetch(`${url}/mint/${await arweaveAddress(wallet)}/1000000000000000`).catch((cause: unknown) => {
      throw new AppError("The storage service is not reachable.", "Your form and files are kept. Try again in a moment.", cause);
    });
    if (!res.ok) throw new AppError("The storage service is not reachable.", "Your form and files are kept. Try again in a moment.");
  }
  return arweaveStorage({ url, wallet, mine: network.storageDev });
}
