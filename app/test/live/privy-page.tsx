// The page the live Privy test opens: the app's own provider and Connect screen, on a network
// whose config has the Privy app id, plus a probe that runs the app's key derivation (unlockKeys,
// the same call the person's page makes) and shows the derived public key.
import { useState } from "react";
import { createRoot } from "react-dom/client";
import { bytesToHex } from "viem";
import { Connect } from "../../src/person/Connect.tsx";
import { parseConfig } from "../../src/shell/config.ts";
import { ErrorView } from "../../src/shell/Layout.tsx";
import { OneKeyProvider, useOneKey } from "../../src/shell/OneKey.tsx";

declare global {
  interface Window {
    __ONEKEY_CONFIG__: unknown;
  }
}

function KeyProbe() {
  const { wallet, unlockKeys } = useOneKey();
  const [publicKey, setPublicKey] = useState<string>();
  const [error, setError] = useState<unknown>();
  if (!wallet) return null;
  return (
    <section>
      <p>
        Wallet <output aria-label="Wallet address">{wallet.address}</output>
      </p>
      <button
        type="button"
        onClick={() =>
          unlockKeys().then(
            (k) => setPublicKey(bytesToHex(k.keyPair.publicKey)),
            (e) => setError(e),
          )
        }
      >
        Derive my keys
      </button>
      {publicKey && <output aria-label="Public key">{publicKey}</output>}
      {error !== undefined && <ErrorView error={error} />}
    </section>
  );
}

createRoot(document.getElementById("root")!).render(
  <OneKeyProvider config={parseConfig(window.__ONEKEY_CONFIG__)}>
    <main>
      <Connect />
      <KeyProbe />
    </main>
  </OneKeyProvider>,
);
