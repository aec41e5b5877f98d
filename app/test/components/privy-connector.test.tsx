// The email-login (embedded wallet) connector's state machine and form, with the vendor's client
// replaced at exactly one seam: the EmbeddedWalletClient that embeddedConnector's `load` returns.
// The fake below stands in for Privy's servers and its wallet iframe only; everything after it is
// the app's real code: eip1193Connector, a viem wallet client over the provider, and the SDK's
// key derivation from the wallet's EIP-712 signature. The real Privy client (src/shell/privy.ts)
// runs in test/live-privy.test.ts, which needs Privy credentials.
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, expect, test } from "vitest";
import { PrivyApiError } from "@privy-io/js-sdk-core";
import { bytesToHex, type EIP1193Provider, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { baseSepolia } from "viem/chains";
import { deriveOwnerKeys } from "@onekey/sdk/keys";
import { Connect, EmailLoginForm } from "../../src/person/Connect.tsx";
import { parseConfig } from "../../src/shell/config.ts";
import { OneKeyProvider } from "../../src/shell/OneKey.tsx";
import { EmbeddedLoginError, embeddedConnector, type EmbeddedWalletClient } from "../../src/shell/connectors.ts";
import { classifyPrivyError } from "../../src/shell/privy.ts";

afterEach(cleanup);

const chain = baseSepolia;
const CODE = "123456";

/** An EIP-1193 provider that signs with a local key, as Privy's iframe signs with the person's. */
function keyProvider(privateKey: Hex): EIP1193Provider {
  const account = privateKeyToAccount(privateKey);
  return {
    request: async ({ method, params }: { method: string; params?: unknown }) => {
      const p = (params ?? []) as unknown[];
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [account.address];
      if (method === "eth_chainId") return `0x${chain.id.toString(16)}`;
      if (method === "eth_signTypedData_v4") {
        if (String(p[0]).toLowerCase() !== account.address.toLowerCase()) throw new Error("wrong signer");
        const { EIP712Domain: _, ...types } = JSON.parse(String(p[1])).types;
        const td = JSON.parse(String(p[1]));
        return account.signTypedData({ domain: td.domain, types, primaryType: td.primaryType, message: td.message });
      }
      throw new Error(`unsupported ${method}`);
    },
    on: () => undefined,
    removeListener: () => undefined,
  } as unknown as EIP1193Provider;
}

/** Privy's side of the seam: one person per email, each with a wallet key made at first login. */
function fakePrivy(opts: { failSend?: EmbeddedLoginError } = {}) {
  const wallets = new Map<string, Hex>();
  const calls: string[] = [];
  let sentTo: string | undefined;
  let loggedIn: string | undefined;
  const client: EmbeddedWalletClient = {
    async sendCode(email) {
      calls.push(`sendCode ${email}`);
      if (opts.failSend) throw opts.failSend;
      sentTo = email;
    },
    async loginWithCode(email, code) {
      calls.push(`loginWithCode ${email} ${code}`);
      if (email !== sentTo || code !== CODE) throw new EmbeddedLoginError("wrong-code", "log in");
      loggedIn = email;
    },
    async ethereumProvider() {
      if (!loggedIn) throw new EmbeddedLoginError("not-logged-in", "open the wallet");
      if (!wallets.has(loggedIn)) wallets.set(loggedIn, generatePrivateKey());
      return keyProvider(wallets.get(loggedIn)!);
    },
    async logout() {
      calls.push("logout");
      loggedIn = undefined;
      sentTo = undefined;
    },
  };
  return { client, calls, wallets };
}

async function flush() {
  await act(async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  });
}

function renderForm(load: () => Promise<EmbeddedWalletClient>, onDone = () => undefined) {
  const connector = embeddedConnector("clabc123privyappid", chain, load);
  render(<EmailLoginForm connector={connector} onDone={onDone} connecting={false} disabled={false} />);
  return connector;
}

async function logIn(email: string, code = CODE) {
  fireEvent.change(screen.getByLabelText("Email"), { target: { value: email } });
  fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
  await flush();
  fireEvent.change(screen.getByLabelText("Code from the email"), { target: { value: code } });
  fireEvent.click(screen.getByRole("button", { name: "Log in" }));
  await flush();
}

const publicKeyOf = async (connector: ReturnType<typeof embeddedConnector>) => {
  const w = await connector.connect(chain);
  const k = await deriveOwnerKeys(w.wallet);
  return { address: w.address, publicKey: bytesToHex(k.keyPair.publicKey) };
};

test("email -> code -> the embedded wallet connects through the same EIP-1193 path, and its derived key is stable across logins", async () => {
  const privy = fakePrivy();
  let loads = 0;
  let done = 0;
  const connector = renderForm(
    async () => {
      loads++;
      return privy.client;
    },
    () => void done++,
  );
  // Nothing of the vendor is loaded until the person asks for a code.
  expect(loads).toBe(0);
  await expect(connector.connect(chain)).rejects.toThrow(/not logged in/);

  await logIn("ada@example.org");
  expect(privy.calls).toEqual(["sendCode ada@example.org", `loginWithCode ada@example.org ${CODE}`]);
  expect(screen.getByRole("status").textContent).toContain("Logged in as ada@example.org");
  expect(done).toBe(1);
  const first = await publicKeyOf(connector);
  expect(first.address).toBe(privateKeyToAccount(privy.wallets.get("ada@example.org")!).address);

  // A second login (after a disconnect) reaches the same wallet and so the same encryption key.
  act(() => connector.emailLogin.restart());
  await flush();
  expect(privy.calls).toContain("logout");
  await expect(connector.connect(chain)).rejects.toThrow(/not logged in/);
  await logIn("ada@example.org");
  const second = await publicKeyOf(connector);
  expect(second).toEqual(first);
  expect(loads).toBe(1);

  // Another person's email is another wallet and another key.
  act(() => connector.emailLogin.restart());
  await logIn("grace@example.org");
  const other = await publicKeyOf(connector);
  expect(other.address).not.toBe(first.address);
  expect(other.publicKey).not.toBe(first.publicKey);
});

test("a wrong code keeps the person on the code step, says so in plain words, and keeps what they typed", async () => {
  const privy = fakePrivy();
  const connector = renderForm(async () => privy.client);
  await logIn("ada@example.org", "000000");
  const alert = screen.getByRole("alert");
  expect(alert.textContent).toContain("That code is not right, or it has expired.");
  expect((screen.getByLabelText("Code from the email") as HTMLInputElement).value).toBe("000000");
  expect(connector.emailLogin.state.step).toBe("code");
  // The code field has the focus: the person types the right code and presses Enter.
  expect(document.activeElement).toBe(screen.getByLabelText("Code from the email"));
  fireEvent.change(screen.getByLabelText("Code from the email"), { target: { value: ` ${CODE.slice(0, 3)} ${CODE.slice(3)} ` } });
  fireEvent.submit(screen.getByLabelText("Code from the email").closest("form")!);
  await flush();
  expect(connector.emailLogin.state.step).toBe("done");
  expect(screen.queryByRole("alert")).toBeNull();
});

test("a malformed email or code never reaches the vendor", async () => {
  const privy = fakePrivy();
  let loads = 0;
  renderForm(async () => {
    loads++;
    return privy.client;
  });
  fireEvent.change(screen.getByLabelText("Email"), { target: { value: "not an email" } });
  fireEvent.submit(screen.getByLabelText("Email").closest("form")!);
  await flush();
  expect(screen.getByRole("alert").textContent).toContain("That does not look like an email address.");
  expect(loads).toBe(0);
  // The email is kept for correcting it.
  expect((screen.getByLabelText("Email") as HTMLInputElement).value).toBe("not an email");
  await logIn("ada@example.org", "12ab");
  expect(screen.getByRole("alert").textContent).toContain("That code is not right");
  expect(privy.calls).toEqual(["sendCode ada@example.org"]);
});

test("Privy unreachable (its SDK chunk or its servers) and an invalid app id are told apart, and a retry loads again", async () => {
  let loads = 0;
  const privy = fakePrivy();
  const connector = renderForm(async () => {
    loads++;
    if (loads === 1) throw new TypeError("Failed to fetch dynamically imported module");
    return privy.client;
  });
  fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.org" } });
  fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
  await flush();
  expect(screen.getByRole("alert").textContent).toContain("The email login service (Privy) is not reachable.");
  fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
  await flush();
  expect(loads).toBe(2);
  expect(connector.emailLogin.state.step).toBe("code");

  cleanup();
  renderForm(async () => fakePrivy({ failSend: new EmbeddedLoginError("app-id", "start Privy") }).client);
  fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.org" } });
  fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
  await flush();
  const alert = within(screen.getByRole("alert"));
  expect(alert.getByText(/its Privy app id is not valid/)).toBeTruthy();
  expect(alert.getByText(/privyAppId in its config.json/)).toBeTruthy();
});

test("the controls are labelled and keyboard-operable: a fieldset per login, fields with labels, submit buttons", async () => {
  renderForm(async () => fakePrivy().client);
  const group = screen.getByRole("group", { name: "Email login" });
  const email = within(group).getByLabelText("Email") as HTMLInputElement;
  expect(email.type).toBe("email");
  expect(email.autocomplete).toBe("email");
  expect((within(group).getByRole("button", { name: "Send me a code" }) as HTMLButtonElement).type).toBe("submit");
  fireEvent.change(email, { target: { value: "ada@example.org" } });
  fireEvent.submit(email.closest("form")!);
  await flush();
  const code = screen.getByLabelText("Code from the email") as HTMLInputElement;
  expect(code.autocomplete).toBe("one-time-code");
  expect(code.inputMode).toBe("numeric");
  expect(document.activeElement).toBe(code);
  fireEvent.click(screen.getByRole("button", { name: "Use another email" }));
  await flush();
  expect(screen.getByLabelText("Email")).toBeTruthy();
});

test("classifyPrivyError sorts the real SDK's errors into what a person can act on", () => {
  const api = (code: string, status: number) => new PrivyApiError({ error: "x", code: code as never, status });
  expect(classifyPrivyError(api("invalid_credentials", 401))).toBe("wrong-code");
  expect(classifyPrivyError(api("missing_or_invalid_privy_app_id", 400))).toBe("app-id");
  expect(classifyPrivyError(api("invalid_origin", 403))).toBe("origin");
  expect(classifyPrivyError(api("too_many_requests", 429))).toBe("rate-limited");
  expect(classifyPrivyError(new TypeError("Failed to fetch"))).toBe("unreachable");
  expect(classifyPrivyError(new Error("Embedded wallet WebView failed to become ready"))).toBe("unreachable");
  expect(classifyPrivyError(new Error("something else"))).toBe("other");
});

test("the Connect screen offers email login only on a network whose config has a privyAppId", () => {
  const network = {
    chainId: 84532,
    rpcUrl: "http://127.0.0.1:1",
    bundlerUrl: "http://127.0.0.1:2",
    sponsorUrl: "http://127.0.0.1:3",
    indexerUrl: "http://127.0.0.1:4",
    storageUrls: ["http://127.0.0.1:5"],
    sponsor: { projectId: "1", ticketUrl: "http://127.0.0.1:6/ticket" },
    addresses: {
      projectRegistry: "0x0000000000000000000000000000000000000001",
      recordRegistry: "0x0000000000000000000000000000000000000002",
      attestationRegistry: "0x0000000000000000000000000000000000000003",
      paymaster: "0x0000000000000000000000000000000000000004",
      factory: "0x0000000000000000000000000000000000000005",
    },
  };
  const { unmount } = render(
    <OneKeyProvider config={parseConfig(network)}>
      <Connect />
    </OneKeyProvider>,
  );
  expect(screen.getByRole("button", { name: "Browser wallet" })).toBeTruthy();
  expect(screen.queryByRole("group", { name: "Email login" })).toBeNull();
  unmount();
  render(
    <OneKeyProvider config={parseConfig({ ...network, privyAppId: "clabc123privyappid" })}>
      <Connect />
    </OneKeyProvider>,
  );
  const group = screen.getByRole("group", { name: "Email login" });
  expect(within(group).getByLabelText("Email")).toBeTruthy();
  expect(within(group).getByText(/opened with a code sent to your email/)).toBeTruthy();
});
