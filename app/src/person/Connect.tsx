// Connect a wallet: the connectors the network offers, each a labelled button.
import { useState } from "react";
import { useOneKey } from "../shell/OneKey.tsx";
import { ErrorView, short } from "../shell/Layout.tsx";

export function Connect() {
  const { connectors, wallet, connect, disconnect, network } = useOneKey();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const go = async (id: string) => {
    setError(undefined);
    setBusy(id);
    try {
      await connect(id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };
  if (wallet) {
    return (
      <section className="card" aria-labelledby="wallet-h">
        <h2 id="wallet-h">Wallet</h2>
        <p>
          Connected with <code>{short(wallet.address)}</code> on {network.name}.
        </p>
        <button type="button" className="secondary" onClick={disconnect}>
          Disconnect
        </button>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="connect-h">
      <h2 id="connect-h">Connect a wallet</h2>
      <p className="note">You never need ETH: a OneKey project pays for every transaction you make here.</p>
      <ul className="connectors">
        {connectors.map((c) => (
          <li key={c.id}>
            <button type="button" onClick={() => go(c.id)} disabled={busy !== undefined} aria-describedby={`desc-${c.id.replace(":", "-")}`}>
              {busy === c.id ? "Connecting..." : c.label}
            </button>
            <span id={`desc-${c.id.replace(":", "-")}`} className="note">
              {c.description}
            </span>
          </li>
        ))}
      </ul>
      {error !== undefined && <ErrorView error={error} onRetry={() => setError(undefined)} />}
    </section>
  );
}
