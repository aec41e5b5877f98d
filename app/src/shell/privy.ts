// The real embedded-wallet client: Privy's framework-agnostic SDK (@privy-io/js-sdk-core). This
// module is only ever reached through a dynamic import (see embeddedConnector in connectors.ts),
// so the SDK is a chunk of its own that loads when a person picks email login on a network whose
// config has a `privyAppId`, and never otherwise.
//
// Privy keeps the wallet's key shares inside an iframe it serves from its own origin; the page
// talks to it only by postMessage, pinned here to that origin both ways. Nothing OneKey derives
// (encryption keys, owner secret) is sent to Privy: it only signs what the wallet is asked to.
import Privy, { getEntropyDetailsFromUser, getUserEmbeddedEthereumWallet, LocalStorage, PrivyApiError, PrivyClientError } from "@privy-io/js-sdk-core";
import type { Chain, EIP1193Provider } from "viem";
import { EmbeddedLoginError, type EmbeddedLoginReason, type EmbeddedWalletClient } from "./connectors.ts";

type User = Parameters<typeof getUserEmbeddedEthereumWallet>[0];

/** Sorts what Privy's SDK or the browser threw into the few cases a person can act on. */
export function classifyPrivyError(e: unknown): EmbeddedLoginReason {
  const code = e instanceof PrivyApiError || e instanceof PrivyClientError ? String(e.code) : "";
  if (code === "invalid_credentials" || code === "invalid_mfa_code") return "wrong-code";
  if (code === "missing_or_invalid_privy_app_id" || code === "invalid_native_app_id") return "app-id";
  if (code === "invalid_origin" || code === "missing_origin") return "origin";
  if (code === "too_many_requests") return "rate-limited";
  if (code === "invalid_data" || code === "invalid_input") return "bad-email";
  if (code === "invalid_captcha") return "captcha";
  const msg = e instanceof Error ? e.message : String(e);
  // fetch() failing (offline, DNS, blocked) and the iframe never answering look the same to a
  // person: Privy is not reachable from this page.
  if ((e instanceof TypeError && /fetch|network|load/i.test(msg)) || /timeout|failed to become ready|webview/i.test(msg)) return "unreachable";
  // An unknown app id answers 4xx before any code exists; the SDK words it in several ways.
  if (e instanceof PrivyApiError && (e.status === 401 || e.status === 403 || e.status === 404) && /app/i.test(e.error ?? msg)) return "app-id";
  return "other";
}

const wrap = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
  try {
    return await f();
  } catch (cause) {
    if (cause instanceof EmbeddedLoginError) throw cause;
    throw new EmbeddedLoginError(classifyPrivyError(cause), what, cause);
  }
};

/** Mounts Privy's wallet iframe (hidden: it has no UI of its own here) and connects the SDK to it. */
async function mountWalletFrame(privy: Privy): Promise<HTMLIFrameElement> {
  const url = privy.embeddedWallet.getURL();
  const origin = new URL(url).origin;
  const frame = document.createElement("iframe");
  frame.title = "Privy embedded wallet";
  frame.setAttribute("aria-hidden", "true");
  frame.tabIndex = -1;
  frame.style.cssText = "position:absolute;width:0;height:0;border:0;visibility:hidden";
  frame.src = url;
  const loaded = new Promise<void>((resolve, reject) => {
    frame.addEventListener("load", () => resolve(), { once: true });
    frame.addEventListener("error", () => reject(new TypeError("the Privy wallet frame did not load")), { once: true });
  });
  document.body.appendChild(frame);
  await loaded;
  privy.setMessagePoster({
    // Privy's SDK posts with targetOrigin "*"; the frame is Privy's origin only.
    postMessage: (message, _targetOrigin, transfer) => frame.contentWindow?.postMessage(message, origin, transfer ? [transfer] : undefined),
    reload: () => {
      frame.src = url;
    },
  });
  window.addEventListener("message", (e: MessageEvent) => {
    if (e.origin !== origin || e.source !== frame.contentWindow) return;
    let data: unknown = e.data;
    if (typeof data === "string") {
      try {
        data = JSON.parse(data);
      } catch {
        return;
      }
    }
    if (data && typeof data === "object" && typeof (data as { event?: unknown }).event === "string") {
      privy.embeddedWallet.onMessage(data as Parameters<typeof privy.embeddedWallet.onMessage>[0]);
    }
  });
  return frame;
}

/**
 * Privy as an EmbeddedWalletClient: passwordless email login, then the user's embedded Ethereum
 * wallet (created at the first login, recovered by Privy on later ones) as an EIP-1193 provider.
 */
export async function createPrivyClient({ appId, chain }: { appId: string; chain: Chain }): Promise<EmbeddedWalletClient> {
  const privy = new Privy({ appId, storage: new LocalStorage(), supportedChains: [chain] });
  // initialize() fetches the app's config from Privy: an unknown app id or an origin the app does
  // not allow fails here, before any code is sent. A failed start is tried again on the next
  // step (the person pressed "Send me a code" again); the iframe is mounted once.
  let frame: Promise<unknown> | undefined;
  let started: Promise<void> | undefined;
  const ready = () =>
    (started ??= wrap("start Privy", async () => {
      await privy.initialize();
      frame ??= mountWalletFrame(privy).catch((e: unknown) => {
        frame = undefined;
        throw e;
      });
      await frame;
    }).catch((e: unknown) => {
      started = undefined;
      throw e;
    }));
  let user: User | null = null;

  return {
    async sendCode(email) {
      await ready();
      await wrap("send the code", async () => {
        // A session from an earlier visit belongs to whoever logged in then: start fresh.
        if (await privy.getAccessToken().catch(() => null)) await privy.auth.logout();
        user = null;
        await privy.auth.email.sendCode(email);
      });
    },
    async loginWithCode(email, code) {
      await ready();
      user = await wrap("log in", async () => (await privy.auth.email.loginWithCode(email, code)).user);
    },
    async ethereumProvider() {
      await ready();
      return wrap("open the wallet", async () => {
        if (!user) throw new EmbeddedLoginError("not-logged-in", "open the wallet");
        let wallet = getUserEmbeddedEthereumWallet(user);
        if (!wallet) {
          user = (await privy.embeddedWallet.create({})).user;
          wallet = getUserEmbeddedEthereumWallet(user);
        }
        const entropy = getEntropyDetailsFromUser(user);
        if (!wallet || !entropy) throw new EmbeddedLoginError("other", "create the wallet");
        const provider = await privy.embeddedWallet.getEthereumProvider({ wallet, ...entropy });
        return provider as unknown as EIP1193Provider;
      });
    },
    async logout() {
      user = null;
      await started?.catch(() => undefined);
      await privy.auth.logout().catch(() => undefined);
    },
  };
}
