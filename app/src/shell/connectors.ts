// Wallet connectors behind one interface: any injected EIP-1193 wallet, the local chain's dev
// accounts, and an embedded wallet (Privy, email + one-time code) as one more EIP-1193 provider.
// The rest of the app sees only a ConnectedWallet: an address and a viem wallet client that signs
// typed data.
import { createWalletClient, custom, http, type Account, type Chain, type EIP1193Provider, type Transport, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { AppError } from "./errors.ts";

export type Wallet = WalletClient<Transport, Chain, Account>;

export interface ConnectedWallet {
  connectorId: string;
  address: `0x${string}`;
  wallet: Wallet;
}

export interface Connector {
  id: string;
  /** What the person sees on the button. */
  label: string;
  /** Shown under the button. */
  description: string;
  connect(chain: Chain): Promise<ConnectedWallet>;
  /** Set when the connector needs the person to log in first (email + code) before connect(). */
  emailLogin?: EmailLogin;
}

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

/** Any EIP-1193 provider as a connector (injected wallets, embedded wallets). */
export function eip1193Connector(o: { id: string; label: string; description: string; provider: () => Promise<EIP1193Provider | undefined> }): Connector {
  return {
    id: o.id,
    label: o.label,
    description: o.description,
    async connect(chain) {
      const provider = await o.provider();
      if (!provider) throw new AppError(`No ${o.label} found in this browser.`, "Install a wallet extension, or pick another way to connect.");
      const accounts = (await provider.request({ method: "eth_requestAccounts" })) as `0x${string}`[];
      if (!accounts?.[0]) throw new AppError("Your wallet shared no account.", "Unlock your wallet and try again.");
      const current = Number(await provider.request({ method: "eth_chainId" }));
      if (current !== chain.id) {
        await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: `0x${chain.id.toString(16)}` }] }).catch((cause: unknown) => {
          throw new AppError(`Your wallet is on chain ${current}, not ${chain.name}.`, `Switch your wallet to ${chain.name} and connect again.`, cause);
        });
      }
      const wallet = createWalletClient({ account: accounts[0], chain, transport: custom(provider) }) as Wallet;
      return { connectorId: o.id, address: accounts[0], wallet };
    },
  };
}

export const injectedConnector = (): Connector =>
  eip1193Connector({
    id: "injected",
    label: "Browser wallet",
    description: "A wallet in this browser (MetaMask, Rabby, Coinbase Wallet, ...).",
    provider: async () => (typeof window === "undefined" ? undefined : window.ethereum),
  });

/**
 * Why an embedded-wallet login failed, in the few cases a person can act on. The vendor's client
 * (./privy.ts) sorts its own errors into these; the login below words them.
 */
export type EmbeddedLoginReason = "wrong-code" | "unreachable" | "app-id" | "origin" | "rate-limited" | "bad-email" | "captcha" | "not-logged-in" | "other";

const LOGIN_WORDS: Record<EmbeddedLoginReason, [string, string]> = {
  "wrong-code": ["That code is not right, or it has expired.", "Check the latest email and type its code again, or ask for a new code."],
  unreachable: ["The email login service (Privy) is not reachable.", "Check your connection and try again in a moment."],
  "app-id": [
    "Email login is not set up correctly for this app (its Privy app id is not valid).",
    "Ask whoever runs this OneKey app to check privyAppId in its config.json.",
  ],
  origin: [
    "Email login does not accept this web address yet.",
    "Ask whoever runs this OneKey app to add this address to the allowed origins of its Privy app.",
  ],
  "rate-limited": ["Too many attempts in a short time.", "Wait a minute, then try again."],
  "bad-email": ["That does not look like an email address.", "Check the address and try again."],
  captcha: ["Email login asked for a check this app cannot show.", "Ask whoever runs this OneKey app to turn off the CAPTCHA of its Privy app."],
  "not-logged-in": ["You are not logged in with your email yet.", "Type your email and the code it receives first."],
  other: ["Email login failed.", "Try again; if it keeps failing, use another way to connect."],
};

export class EmbeddedLoginError extends AppError {
  override name = "EmbeddedLoginError";
  readonly reason: EmbeddedLoginReason;
  constructor(reason: EmbeddedLoginReason, step: string, cause?: unknown) {
    const [message, hint] = LOGIN_WORDS[reason];
    super(message, hint, cause === undefined ? new Error(`while trying to ${step}`) : cause);
    this.reason = reason;
  }
}

/**
 * What the app needs from an embedded-wallet vendor. The real one is Privy (./privy.ts, loaded on
 * demand); a component test puts a fake at exactly this seam. Errors are EmbeddedLoginErrors.
 */
export interface EmbeddedWalletClient {
  /** Emails a one-time code. */
  sendCode(email: string): Promise<void>;
  loginWithCode(email: string, code: string): Promise<void>;
  /** The logged-in person's embedded Ethereum wallet (created at their first login). */
  ethereumProvider(): Promise<EIP1193Provider>;
  logout(): Promise<void>;
}

export type EmailLoginState =
  | { step: "email"; busy: boolean; error?: unknown }
  | { step: "code"; email: string; busy: boolean; error?: unknown }
  | { step: "done"; email: string };

/**
 * The email login's state machine: email -> (code sent) code -> (code accepted) done. A failure
 * keeps the person on the step they were on, with what they typed, and says why. The vendor's
 * client is created on the first send and kept for the rest of the tab.
 */
export interface EmailLogin {
  readonly state: EmailLoginState;
  subscribe(listener: () => void): () => void;
  sendCode(email: string): Promise<void>;
  submitCode(code: string): Promise<void>;
  /** Back to the email step (another address, or after a disconnect). */
  restart(): void;
  /** The wallet's EIP-1193 provider, once done. */
  provider(): Promise<EIP1193Provider>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function createEmailLogin(load: () => Promise<EmbeddedWalletClient>): EmailLogin {
  let state: EmailLoginState = { step: "email", busy: false };
  let client: Promise<EmbeddedWalletClient> | undefined;
  let provider: Promise<EIP1193Provider> | undefined;
  const listeners = new Set<() => void>();
  const set = (s: EmailLoginState) => {
    state = s;
    for (const l of listeners) l();
  };
  const getClient = () => {
    client ??= load().catch((cause: unknown) => {
      client = undefined;
      // The SDK's own chunk not loading (offline, a deploy replaced it) is "not reachable" too.
      throw cause instanceof EmbeddedLoginError ? cause : new EmbeddedLoginError("unreachable", "load email login", cause);
    });
    return client;
  };
  return {
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async sendCode(raw) {
      const email = raw.trim();
      if (!EMAIL.test(email)) return set({ step: "email", busy: false, error: new EmbeddedLoginError("bad-email", "send the code") });
      set({ step: "email", busy: true });
      try {
        await (await getClient()).sendCode(email);
        provider = undefined;
        set({ step: "code", email, busy: false });
      } catch (error) {
        set({ step: "email", busy: false, error });
      }
    },
    async submitCode(raw) {
      if (state.step !== "code") return;
      const { email } = state;
      const code = raw.replace(/\s+/g, "");
      if (!/^\d{4,10}$/.test(code)) return set({ step: "code", email, busy: false, error: new EmbeddedLoginError("wrong-code", "log in") });
      set({ step: "code", email, busy: true });
      try {
        const c = await getClient();
        await c.loginWithCode(email, code);
        const p = c.ethereumProvider();
        await p;
        provider = p;
        set({ step: "done", email });
      } catch (error) {
        set({ step: "code", email, busy: false, error });
      }
    },
    restart() {
      provider = undefined;
      if (client) void client.then((c) => c.logout()).catch(() => undefined);
      set({ step: "email", busy: false });
    },
    provider() {
      return provider ?? Promise.reject(new EmbeddedLoginError("not-logged-in", "connect"));
    },
  };
}

/**
 * An embedded wallet reached by email and a one-time code: its EIP-1193 provider goes through the
 * same eip1193Connector as a browser wallet, so key derivation and the sponsored smart account
 * see nothing different. `load` creates the vendor's client; by default the real Privy client,
 * whose SDK is a separate chunk fetched only then.
 */
export function embeddedConnector(
  appId: string,
  chain: Chain,
  load: () => Promise<EmbeddedWalletClient> = () => import("./privy.ts").then((m) => m.createPrivyClient({ appId, chain })),
): Connector & { emailLogin: EmailLogin } {
  const emailLogin = createEmailLogin(load);
  const inner = eip1193Connector({
    id: "privy",
    label: "Email login",
    description: "A wallet kept for you by Privy, opened with a code sent to your email: no extension needed.",
    provider: () => emailLogin.provider(),
  });
  return { ...inner, emailLogin };
}

/** anvil's public dev keys (local chain only): a wallet per key, signing in the page. */
export function devConnector(privateKey: `0x${string}`, index: number, rpcUrl: string): Connector {
  const account = privateKeyToAccount(privateKey);
  return {
    id: `dev:${index}`,
    label: `Dev account ${index} (${account.address.slice(0, 6)}...${account.address.slice(-4)})`,
    description: "A public test key of the local chain. Never use it anywhere else.",
    async connect(chain) {
      // The org console's actions read and wait for receipts through this client: the local chain
      // mines at once, so it is polled as often as the app's public client.
      const wallet = createWalletClient({ account, chain, transport: http(rpcUrl), pollingInterval: 250 }) as Wallet;
      return { connectorId: `dev:${index}`, address: account.address, wallet };
    },
  };
}
