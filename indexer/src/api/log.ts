// Logs through Ponder's logger when present, so API and worker lines share its format. Lines carry
// ids, hashes, counts and statuses only.
type Fields = Record<string, unknown> & { msg: string };
type Logger = Record<"info" | "warn" | "error" | "debug", (fields: Fields) => void>;

const ponderLogger = (globalThis as unknown as { PONDER_COMMON?: { logger: Logger } }).PONDER_COMMON?.logger;

export const log: Logger = ponderLogger ?? {
  info: (f) => console.log(JSON.stringify(f)),
  warn: (f) => console.warn(JSON.stringify(f)),
  error: (f) => console.error(JSON.stringify(f)),
  debug: () => {},
};
