import { Connect } from "./Connect.tsx";
import { useOneKey } from "../shell/OneKey.tsx";

export function PersonPage() {
  const { wallet } = useOneKey();
  return (
    <>
      <h1>My identity</h1>
      <Connect />
      {wallet && <p className="note">Connected.</p>}
    </>
  );
}
