// Sponsorship tickets: a project's backend signs one (EIP-712) for one subject, the app passes it to
// the sponsor service in the ERC-7677 context, and the service sponsors at most `maxOps` operations
// of that subject until `validUntil`. The signer must be an active SPONSOR of the project.
import { recoverTypedDataAddress, type Account, type Address, type Chain, type Hex, type Transport, type WalletClient } from "viem";
import { signTypedData } from "viem/actions";
import { BaseError } from "../errors.ts";

/** The EIP-712 type of a ticket (domain "OneKeySponsorTicket"/"1", chain id, the paymaster's address). */
export const sponsorshipTicketTypes = {
  SponsorshipTicket: [
    { name: "projectId", type: "uint256" },
    { name: "subject", type: "address" },
    { name: "maxOps", type: "uint32" },
    { name: "validUntil", type: "uint48" },
    { name: "ticketId", type: "bytes32" },
  ],
} as const;

export const sponsorshipTicketDomain = (chainId: number, paymaster: Address) =>
  ({ name: "OneKeySponsorTicket", version: "1", chainId, verifyingContract: paymaster }) as const;

/** A signed ticket as it travels in the ERC-7677 context (JSON-safe: numbers as decimal strings or numbers). */
export type SponsorshipTicket = {
  projectId: string;
  /**
   * Who may be sponsored: the user operation's sender (a smart account, or a 7702-delegated EOA),
   * or the owner of a salt-0 SimpleAccount from the factory the sponsor service knows.
   */
  subject: Address;
  maxOps: number;
  /** Unix seconds (chain time); the service refuses the ticket from this time on. */
  validUntil: number;
  /** Random 32 bytes: two tickets with the same fields count separately only if their ids differ. */
  ticketId: Hex;
  signature: Hex;
};

export type SignSponsorshipTicketParameters = {
  chainId: number;
  paymaster: Address;
  projectId: bigint;
  subject: Address;
  maxOps: number;
  validUntil: number;
  /** Default: 32 random bytes. */
  ticketId?: Hex;
};
export type SignSponsorshipTicketReturnType = SponsorshipTicket;
export type SignSponsorshipTicketErrorType = InvalidSponsorshipTicketError;

/** Signs a ticket with the wallet's account (which must hold the project's SPONSOR role to be honoured). */
export async function signSponsorshipTicket(
  wallet: WalletClient<Transport, Chain | undefined, Account>,
  p: SignSponsorshipTicketParameters,
): Promise<SignSponsorshipTicketReturnType> {
  if (!Number.isInteger(p.maxOps) || p.maxOps < 1 || p.maxOps > 0xffffffff)
    throw new InvalidSponsorshipTicketError(`maxOps ${p.maxOps} is not an integer in 1..2^32-1`);
  if (!Number.isInteger(p.validUntil) || p.validUntil < 1 || p.validUntil >= 2 ** 48)
    throw new InvalidSponsorshipTicketError(`validUntil ${p.validUntil} is not a uint48 time`);
  const ticketId = p.ticketId ?? randomTicketId();
  const message = { projectId: p.projectId, subject: p.subject, maxOps: p.maxOps, validUntil: p.validUntil, ticketId };
  const signature = await signTypedData(wallet, {
    account: wallet.account,
    domain: sponsorshipTicketDomain(p.chainId, p.paymaster),
    types: sponsorshipTicketTypes,
    primaryType: "SponsorshipTicket",
    message,
  });
  return { projectId: p.projectId.toString(), subject: p.subject, maxOps: p.maxOps, validUntil: p.validUntil, ticketId, signature };
}

export type ParsedSponsorshipTicket = {
  projectId: bigint;
  subject: Address;
  maxOps: number;
  validUntil: number;
  ticketId: Hex;
  signature: Hex;
  signer: Address;
};

/** Checks a ticket's shape and recovers its signer (the caller decides whether that signer counts). */
export async function parseSponsorshipTicket(raw: unknown, chainId: number, paymaster: Address): Promise<ParsedSponsorshipTicket> {
  const t = raw as Partial<Record<keyof SponsorshipTicket, unknown>> | null;
  if (!t || typeof t !== "object") throw new InvalidSponsorshipTicketError("the ticket is not an object");
  const hex = (v: unknown, bytes: number, field: string): Hex => {
    if (typeof v !== "string" || !new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(v))
      throw new InvalidSponsorshipTicketError(`${field} must be ${bytes} bytes of hex`);
    return v as Hex;
  };
  const int = (v: unknown, max: number, field: string): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max) throw new InvalidSponsorshipTicketError(`${field} must be an integer in 1..${max}`);
    return v;
  };
  if (typeof t.projectId !== "string" || !/^[1-9]\d{0,76}$/.test(t.projectId)) throw new InvalidSponsorshipTicketError("projectId must be a decimal string");
  const parsed = {
    projectId: BigInt(t.projectId),
    subject: hex(t.subject, 20, "subject") as Address,
    maxOps: int(t.maxOps, 0xffffffff, "maxOps"),
    validUntil: int(t.validUntil, 2 ** 48 - 1, "validUntil"),
    ticketId: hex(t.ticketId, 32, "ticketId"),
    signature: hex(t.signature, 65, "signature"),
  };
  let signer: Address;
  try {
    signer = await recoverTypedDataAddress({
      domain: sponsorshipTicketDomain(chainId, paymaster),
      types: sponsorshipTicketTypes,
      primaryType: "SponsorshipTicket",
      message: { projectId: parsed.projectId, subject: parsed.subject, maxOps: parsed.maxOps, validUntil: parsed.validUntil, ticketId: parsed.ticketId },
      signature: parsed.signature,
    });
  } catch (cause) {
    throw new InvalidSponsorshipTicketError("the signature does not recover", cause);
  }
  return { ...parsed, signer };
}

function randomTicketId(): Hex {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A ticket that is malformed or whose signature does not recover. */
export class InvalidSponsorshipTicketError extends BaseError {
  override name = "InvalidSponsorshipTicketError";
  constructor(message: string, cause?: unknown) {
    super(`Invalid sponsorship ticket: ${message}.`, { cause, docsPath: "paymaster.md#sponsorship-tickets" });
  }
}
