// SSRF guard for webhook endpoints. An endpoint URL is refused when any address its host resolves
// to is private, loopback, link-local, unique-local, multicast, CGNAT or otherwise not publicly
// routable — unless the operator allows it (local runs and tests). The same check runs again at
// every delivery, on the address actually connected to, so DNS rebinding cannot slip past it.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { BaseError } from "@onekey/sdk/errors";

const BLOCKED_V4: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved + broadcast
];

const BLOCKED_V6: [string, number][] = [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96], // NAT64 of any IPv4
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
];

const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, "ipv6");

/** Operator policy: `all` allows every private address; otherwise a list of allowed subnets. */
export interface PrivateAllowance {
  all: boolean;
  list: BlockList;
  text: string;
}

/**
 * ONEKEY_WEBHOOK_ALLOW_PRIVATE: unset (default) refuses private targets; `1`/`true`/`all` allows
 * them all; a comma list of addresses or CIDRs (e.g. `127.0.0.1/32`) allows only those.
 */
export function parseAllowance(value: string | undefined): PrivateAllowance {
  const text = (value ?? "").trim();
  const list = new BlockList();
  if (["1", "true", "all", "yes"].includes(text.toLowerCase())) return { all: true, list, text };
  for (const entry of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [net, prefix] = entry.split("/");
    const family = isIP(net) === 6 ? "ipv6" : "ipv4";
    if (!isIP(net)) throw new Error(`ONEKEY_WEBHOOK_ALLOW_PRIVATE: "${entry}" is not an address or CIDR`);
    list.addSubnet(net, Number(prefix ?? (family === "ipv6" ? 128 : 32)), family);
  }
  return { all: false, list, text };
}

function unmapped(address: string): { address: string; family: "ipv4" | "ipv6" } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: "ipv4" };
  return { address, family: isIP(address) === 6 ? "ipv6" : "ipv4" };
}

/** Why an address may not be a webhook target, or null when it may. */
export function addressRefusal(address: string, allowance: PrivateAllowance): string | null {
  const { address: a, family } = unmapped(address);
  if (!blocked.check(a, family)) return null;
  if (allowance.all || allowance.list.check(a, family)) return null;
  return `${a} is a private, loopback, link-local or reserved address`;
}

export class EndpointRefusedError extends BaseError {
  override name = "EndpointRefusedError";
  constructor(message: string) {
    super(message, { docsPath: "indexer.md#webhooks" });
  }
}

/** Checks a URL's scheme and every address its host resolves to; returns the addresses. */
export async function vetEndpoint(rawUrl: string, allowance: PrivateAllowance): Promise<{ url: URL; addresses: string[] }> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new EndpointRefusedError(`"${rawUrl}" is not a valid URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new EndpointRefusedError(`endpoint scheme must be https or http, not ${url.protocol.replace(":", "")}`);
  }
  if (url.username || url.password) throw new EndpointRefusedError("endpoint URL must not carry credentials");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((r) => r.address);
  } catch (error) {
    throw new EndpointRefusedError(`endpoint host ${host} does not resolve (${(error as Error).message})`);
  }
  for (const address of addresses) {
    const refusal = addressRefusal(address, allowance);
    if (refusal) {
      throw new EndpointRefusedError(`endpoint ${url.origin} refused: ${host} resolves to ${refusal}. Set ONEKEY_WEBHOOK_ALLOW_PRIVATE for local runs.`);
    }
  }
  return { url, addresses };
}
