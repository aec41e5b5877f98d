// The frame every screen sits in: header with the network picker, nav, and a main landmark.
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { NavLink } from "react-router";
import { verifyRpcChain } from "./config.ts";
import { useOneKey } from "./OneKey.tsx";
import { toPlainError } from "./errors.ts";
import { useState } from "react";

export function Layout({ children }: { children: ReactNode }) {
  const { config, network, chooseNetwork, wallet, publicClient } = useOneKey();
  // The RPC must answer for the chain the entry names: a Base entry pointed at another chain's
  // node would sign and send there. Shown on every page; retried when the network changes.
  const rpc = useQuery({
    queryKey: ["rpc-chain", network.chainId, network.rpcUrl],
    queryFn: () => verifyRpcChain(publicClient, network).then(() => true),
    retry: (n, e) => (e as Error).name !== "ChainMismatchError" && n < 2,
    staleTime: 60_000,
  });
  return (
    <div className="app">
      <header className="top">
        <span className="brand">OneKey</span>
        <nav aria-label="Main">
          <NavLink to="/" end>
            My identity
          </NavLink>
          <NavLink to="/org">Organisation</NavLink>
        </nav>
        {config.networks.length > 1 ? (
          <label className="network">
            Network{" "}
            <select value={network.chainId} onChange={(e) => chooseNetwork(Number(e.target.value))} aria-label="Network">
              {config.networks.map((n) => (
                <option key={n.chainId} value={n.chainId}>
                  {n.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <span className="network-now" data-testid="network-now">
          On {network.name} (chain {network.chainId})
        </span>
        {wallet && (
          // biome-ignore lint/a11y/useAriaPropsSupportedByRole: the label names the address for tests and for reading the header; it is not a control
          <span className="who" aria-label="Connected wallet">
            {short(wallet.address)}
          </span>
        )}
      </header>
      <main>
        {rpc.error && (rpc.error as Error).name === "ChainMismatchError" && <ErrorView error={rpc.error} />}
        {children}
      </main>
    </div>
  );
}

export const short = (a: string) => `${a.slice(0, 6)}...${a.slice(-4)}`;

/** An error in plain words, with the technical detail folded away and an optional retry. */
export function ErrorView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const e = toPlainError(error);
  const [open, setOpen] = useState(false);
  return (
    <div role="alert" className="error">
      <strong>{e.title}</strong>
      <p>{e.hint}</p>
      {onRetry && e.retryable && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
      <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        Details
      </button>
      {open && <pre className="detail">{e.detail}</pre>}
    </div>
  );
}
