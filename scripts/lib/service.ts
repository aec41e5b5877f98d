import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import { waitFor } from "./ports.ts";

/** A child process of the local stack, with its output in a log file. */
export interface Service {
  name: string;
  /** Absent for a service that runs inside this process (arlocal, the sponsor service). */
  child?: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export class ServiceExitedError extends Error {
  override name = "ServiceExitedError";
  constructor(service: string, code: number | null, logTail: string) {
    super(`${service} exited with code ${code} before it was ready. Last log lines:\n${logTail}`);
  }
}

/** A service that kept running but never answered its readiness check in time. */
export class ServiceNotReadyError extends Error {
  override name = "ServiceNotReadyError";
  constructor(service: string, timeoutMs: number, logTail: string, options?: ErrorOptions) {
    super(`${service} was not ready after ${timeoutMs} ms (stopped it). Last log lines:\n${logTail}`, options);
  }
}

export interface StartServiceOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Resolves truthy once the service answers. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** The signal `stop()` sends by default (SIGTERM unless the service shuts down cleanly only on another). */
  stopSignal?: NodeJS.Signals;
}

export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Spawns a service, logs to a file, and waits until `ready()` or a clear error if it exits. */
export async function startService(options: StartServiceOptions): Promise<Service> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group, so stopping the service stops its children too.
    detached: true,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      exitCode = code;
      resolve(code);
    });
    child.once("error", (error) => {
      log.write(`spawn error: ${error.message}\n`);
      exitCode = -1;
      resolve(-1);
    });
  });
  const failedEarly = exited.then(async (code) => {
    await new Promise((r) => log.end(r));
    throw new ServiceExitedError(options.name, code, tail(options.logFile));
  });
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  // Stops the readiness poll once the race below is decided: a poll left running after an early
  // exit would keep probing (and keep the caller's process alive) until the ready timeout.
  const polling = new AbortController();
  const ready = waitFor(options.name, async () => options.ready(), { timeoutMs, intervalMs: 200, signal: polling.signal }).catch((error) => {
    // Some children log a fatal error and keep running (alto on EADDRINUSE): the log tail is what
    // tells the person why, so the timeout carries it too.
    throw new ServiceNotReadyError(options.name, timeoutMs, tail(options.logFile), { cause: error });
  });
  failedEarly.catch(() => {}); // observed below; a late exit is the caller's to watch
  try {
    await Promise.race([ready, failedEarly]);
  } catch (error) {
    polling.abort();
    if (exitCode === undefined) {
      killGroup(child, "SIGKILL");
      await exited; // gone (and its port free) before the caller hears of the failure
    }
    throw error;
  }
  return {
    name: options.name,
    child,
    logFile: options.logFile,
    exited,
    async stop(signal = options.stopSignal ?? "SIGTERM", graceMs = 5_000) {
      if (exitCode !== undefined) return;
      killGroup(child, signal);
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** JSON-RPC POST helper used by readiness checks. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  if (!res.ok) throw new Error(`${method}: HTTP ${res.status}`);
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
