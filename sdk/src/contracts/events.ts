// Typed event decoding for receipts and logs. Pass `address` to accept only one deployment's logs:
// the same event signature from any other contract would otherwise decode too.
import { isAddressEqual, parseEventLogs, type Address, type ContractEventName, type Log, type TransactionReceipt } from "viem";
import { attestationRegistryAbi, projectRegistryAbi, recordRegistryAbi } from "../abis.ts";
import { EventNotFoundError } from "./errors.ts";
import type { WriteResult } from "./types.ts";

type LogSource = Log[] | TransactionReceipt | WriteResult;
type EventFilter<N> = { eventName?: N | N[]; address?: Address };

const logsOf = (source: LogSource): Log[] => (Array.isArray(source) ? source : source.logs);
const fromAddress = (logs: Log[], address?: Address) => (address ? logs.filter((l) => isAddressEqual(l.address, address)) : logs);

export type ProjectRegistryEventName = ContractEventName<typeof projectRegistryAbi>;
export type RecordRegistryEventName = ContractEventName<typeof recordRegistryAbi>;
export type AttestationRegistryEventName = ContractEventName<typeof attestationRegistryAbi>;

export function parseProjectRegistryEvents<const N extends ProjectRegistryEventName = ProjectRegistryEventName>(
  source: LogSource,
  filter: EventFilter<N> = {},
) {
  return parseEventLogs({ abi: projectRegistryAbi, logs: fromAddress(logsOf(source), filter.address), eventName: filter.eventName });
}

export function parseRecordRegistryEvents<const N extends RecordRegistryEventName = RecordRegistryEventName>(source: LogSource, filter: EventFilter<N> = {}) {
  return parseEventLogs({ abi: recordRegistryAbi, logs: fromAddress(logsOf(source), filter.address), eventName: filter.eventName });
}

export function parseAttestationRegistryEvents<const N extends AttestationRegistryEventName = AttestationRegistryEventName>(
  source: LogSource,
  filter: EventFilter<N> = {},
) {
  return parseEventLogs({ abi: attestationRegistryAbi, logs: fromAddress(logsOf(source), filter.address), eventName: filter.eventName });
}

/** Every OneKey registry event in `source`, decoded, in log order. */
export function parseOneKeyEvents(source: LogSource) {
  const logs = logsOf(source);
  return [...parseProjectRegistryEvents(logs), ...parseRecordRegistryEvents(logs), ...parseAttestationRegistryEvents(logs)].sort(
    (a, b) => Number(a.blockNumber ?? 0n) - Number(b.blockNumber ?? 0n) || (a.logIndex ?? 0) - (b.logIndex ?? 0),
  );
}

/** The first event `name` from `address` in a write's logs; EventNotFoundError when absent. */
export function projectEvent<const N extends ProjectRegistryEventName>(r: WriteResult, eventName: N, address: Address) {
  return first(parseProjectRegistryEvents(r, { eventName, address }), eventName, r);
}
export function recordEvent<const N extends RecordRegistryEventName>(r: WriteResult, eventName: N, address: Address) {
  return first(parseRecordRegistryEvents(r, { eventName, address }), eventName, r);
}
export function attestationEvent<const N extends AttestationRegistryEventName>(r: WriteResult, eventName: N, address: Address) {
  return first(parseAttestationRegistryEvents(r, { eventName, address }), eventName, r);
}

function first<T>(events: T[], name: string, r: WriteResult): T {
  const event = events[0];
  if (!event) throw new EventNotFoundError(name, `transaction ${r.hash}`);
  return event;
}
