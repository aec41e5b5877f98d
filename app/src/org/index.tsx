export default function OrgConsole() { return <p>The organisation's console is on its way.</p>; }
