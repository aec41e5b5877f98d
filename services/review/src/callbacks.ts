// Receiving a provider callback: verify, parse, de-duplicate by event id, log. The log line is
// built from a fixed set of keys (ids, type, status, reason), so nothing from the body (Veriff's
// decision webhook, for one, carries the person's extracted data) can reach a log.
import { InvalidCallbackSignatureError, MalformedCallbackError } from "./errors.ts";
import type { CallbackInput, KycProvider, ProviderCallback, ProviderName } from "./providers/types.ts";

export type CallbackLogLine = {
  event: "callback.accepted" | "callback.duplicate" | "callback.refused" | "callback.malformed";
  provider: ProviderName;
  eventId?: string;
  type?: string;
  checkId?: string;
  /** The error's name and short reason, never the body. */
  reason?: string;
};
export type CallbackLog = (line: CallbackLogLine) => void;

/** Remembers event ids. `markSeen` is true the first time an id is seen (atomic in a real store). */
export interface SeenEvents {
  markSeen(eventId: string): Promise<boolean>;
}

/** An in-memory SeenEvents bounded to `max` ids (the case store replaces it with a unique index). */
export function memorySeenEvents(max = 100_000): SeenEvents {
  const seen = new Set<string>();
  return {
    async markSeen(id) {
      if (seen.has(id)) return false;
      seen.add(id);
      if (seen.size > max) seen.delete(seen.values().next().value!);
      return true;
    },
  };
}

export type ReceiveCallbackReturnType =
  | { status: 200; callback: ProviderCallback; duplicate: boolean }
  | { status: 400 | 401; error: "InvalidCallbackSignatureError" | "MalformedCallbackError" };

export async function receiveCallback(p: {
  provider: KycProvider;
  input: CallbackInput;
  seen: SeenEvents;
  log?: CallbackLog;
}): Promise<ReceiveCallbackReturnType> {
  const log = p.log ?? (() => {});
  let callback: ProviderCallback;
  try {
    callback = p.provider.parseCallback(p.input);
  } catch (error) {
    if (error instanceof InvalidCallbackSignatureError) {
      log({ event: "callback.refused", provider: p.provider.name, reason: error.shortMessage.slice(0, 160) });
      return { status: 401, error: "InvalidCallbackSignatureError" };
    }
    if (error instanceof MalformedCallbackError) {
      log({ event: "callback.malformed", provider: p.provider.name, reason: error.shortMessage.slice(0, 160) });
      return { status: 400, error: "MalformedCallbackError" };
    }
    throw error;
  }
  const fresh = await p.seen.markSeen(callback.eventId);
  log({
    event: fresh ? "callback.accepted" : "callback.duplicate",
    provider: callback.provider,
    eventId: callback.eventId,
    type: callback.type,
    checkId: callback.checkId,
  });
  // A duplicate still answers 200: the provider must stop redelivering it.
  return { status: 200, callback, duplicate: !fresh };
}
