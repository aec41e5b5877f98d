// The person's page: connect, the sponsored account, submit, my records (grant, rotate, erase),
// grants, verifications, and who looked at my data.
import { useState } from "react";
import { useOneKey } from "../shell/OneKey.tsx";
import { ErrorView, short } from "../shell/Layout.tsx";
import { AuditAccesses, Attestations, Grants } from "./Activity.tsx";
import { Connect } from "./Connect.tsx";
import { Records } from "./Records.tsx";
import { Submit } from "./Submit.tsx";

export function PersonPage() {
  const { wallet } = useOneKey();
  return (
    <>
      <h1>My identity</h1>
      <Connect />
      {wallet && <PersonArea key={`${wallet.connectorId}:${wallet.address}`} />}
    </>
  );
}

function PersonArea() {
  const { account, getAccount, keys, unlockKeys } = useOneKey();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await getAccount();
      await unlockKeys();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (!account || !keys) {
    return (
      <section className="card" aria-labelledby="start-h">
        <h2 id="start-h">Set up OneKey</h2>
        <p>
          Your wallet controls a OneKey smart account. It is created with your first submission, and its gas is paid by a OneKey project: you never need ETH.
        </p>
        <p>Your wallet then signs one message (not a transaction). This device derives your encryption keys from it; the same wallet recovers them anywhere.</p>
        <button type="button" onClick={() => void start()} disabled={busy}>
          {busy ? "Waiting for your wallet..." : "Set up my account and keys"}
        </button>
        {error !== undefined && <ErrorView error={error} onRetry={() => void start()} />}
      </section>
    );
  }
  return (
    <>
      <section className="card" aria-labelledby="acct-h">
        <h2 id="acct-h">My OneKey account</h2>
        <p>
          {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: the label names the address; it is not a control */}
          Smart account <code aria-label="Smart account address">{account.address}</code>{" "}
          <span className="note">({short(account.address)}; gas paid by the project, you need no ETH)</span>
        </p>
      </section>
      <Submit />
      <Records />
      <Grants />
      <Attestations />
      <AuditAccesses />
    </>
  );
}
