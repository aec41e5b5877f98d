// What a reviewer signs for one change to a case, and the headers that carry it. Browser-safe
// (viem only, no node: imports): the service verifies with this module and the console signs with
// it, so the message has one source.
import { sha256, stringToBytes, type Address, type Hex } from "viem";

export const REVIEWER_HEADERS = { reviewer: "x-onekey-reviewer", timestamp: "x-onekey-timestamp", signature: "x-onekey-signature" } as const;
/** How far a request's timestamp may be from the service's clock. */
export const SIGNATURE_WINDOW_S = 300;

/** The exact text a reviewer signs (EIP-191 personal_sign) for one request. */
export function reviewerRequestMessage(p: { method: string; path: string; projectId: bigint; timestamp: number; body: string }): string {
  const digest = sha256(stringToBytes(p.body)).slice(2);
  return `OneKey review request\n${p.method.toUpperCase()} ${p.path}\nproject ${p.projectId}\ntimestamp ${p.timestamp}\nbody sha256 ${digest}`;
}

/** Anything that signs an EIP-191 message for an address: a viem LocalAccount, or a wallet client bound to its account. */
export type ReviewerSigner = { address: Address; signMessage(args: { message: string }): Promise<Hex> };

/** Headers for a signed reviewer request (what the console and integrators send). */
export async function signReviewerRequest(
  signer: ReviewerSigner,
  p: { method: string; path: string; projectId: bigint; body: string; timestamp?: number },
): Promise<Record<string, string>> {
  const timestamp = p.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = await signer.signMessage({ message: reviewerRequestMessage({ ...p, timestamp }) });
  return { [REVIEWER_HEADERS.reviewer]: signer.address, [REVIEWER_HEADERS.timestamp]: String(timestamp), [REVIEWER_HEADERS.signature]: signature };
}
