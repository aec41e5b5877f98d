// Connect a wallet: the connectors the network offers, each a labelled button; an email login
// (embedded wallet) is a small form: email, then the one-time code, then the same connect().
import { useEffect, useId, useRef, useState, useSyncExternalStore, type FormEvent } from "react";
import type { Connector, EmailLogin } from "../shell/connectors.ts";
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
        {connectors.map((c) =>
          c.emailLogin ? (
            <li key={c.id}>
              <EmailLoginForm
                connector={c as Connector & { emailLogin: EmailLogin }}
                onDone={() => go(c.id)}
                connecting={busy === c.id}
                disabled={busy !== undefined}
              />
            </li>
          ) : (
            <li key={c.id}>
              <button type="button" onClick={() => go(c.id)} disabled={busy !== undefined} aria-describedby={`desc-${c.id.replace(":", "-")}`}>
                {busy === c.id ? "Connecting..." : c.label}
              </button>
              <span id={`desc-${c.id.replace(":", "-")}`} className="note">
                {c.description}
              </span>
            </li>
          ),
        )}
      </ul>
      {error !== undefined && <ErrorView error={error} onRetry={() => setError(undefined)} />}
    </section>
  );
}

/**
 * Email, then code: each step a labelled field in a form (Enter submits), focus moved to the next
 * field, errors in plain words beside it. What the person typed stays when a step fails.
 */
export function EmailLoginForm({
  connector,
  onDone,
  connecting,
  disabled,
}: {
  connector: Connector & { emailLogin: EmailLogin };
  onDone: () => void;
  connecting: boolean;
  disabled: boolean;
}) {
  const login = connector.emailLogin;
  const state = useSyncExternalStore(login.subscribe, () => login.state);
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const id = useId();
  // The code field takes focus when it appears: the person just asked for that code.
  const codeField = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state.step === "code") codeField.current?.focus();
  }, [state.step]);
  const busy = state.step !== "done" && state.busy;
  const error = state.step !== "done" ? state.error : undefined;
  const sendCode = async (e: FormEvent) => {
    e.preventDefault();
    setCode("");
    await login.sendCode(email);
  };
  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    await login.submitCode(code);
    if (login.state.step === "done") onDone();
  };
  return (
    <fieldset className="email-login" aria-describedby={`${id}-desc`}>
      <legend>{connector.label}</legend>
      <span id={`${id}-desc`} className="note">
        {connector.description}
      </span>
      {state.step === "email" && (
        <form onSubmit={sendCode}>
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            disabled={busy || disabled}
          />{" "}
          <button type="submit" disabled={busy || disabled}>
            {busy ? "Sending..." : "Send me a code"}
          </button>
        </form>
      )}
      {state.step === "code" && (
        <form onSubmit={submitCode}>
          <p role="status">We sent a code to {state.email}. It is valid for a few minutes.</p>
          <label htmlFor={`${id}-code`}>Code from the email</label>
          <input
            id={`${id}-code`}
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
            disabled={busy || disabled}
            ref={codeField}
          />{" "}
          <button type="submit" disabled={busy || disabled}>
            {busy ? "Checking..." : "Log in"}
          </button>{" "}
          <button type="button" className="secondary" onClick={() => login.restart()} disabled={busy || disabled}>
            Use another email
          </button>
        </form>
      )}
      {state.step === "done" && (
        <p role="status">
          Logged in as {state.email}.{" "}
          <button type="button" onClick={onDone} disabled={disabled}>
            {connecting ? "Connecting..." : "Connect this wallet"}
          </button>
        </p>
      )}
      {error !== undefined && <ErrorView error={error} />}
    </fieldset>
  );
}
