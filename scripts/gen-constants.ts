// The OneKey constants, read from the Solidity the contracts compile: the ASTs in Hardhat's build
// info (contracts/libraries/Common.sol, GranteeKeys.sol, OneKeyPaymaster.sol; constant expressions
// are evaluated here, so `1 << 3` or `type(Purpose).max + 1` need no hand copy) and the
// account-abstraction package. scripts/gen-abis.ts writes them to sdk/src/constants.ts beside the
// ABIs, so nothing downstream retypes a role bit, a purpose, a limit or an address.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { getAddress } from "viem";

// A solc AST node: its fields depend on nodeType, read here as the AST spec names them.
// biome-ignore lint/suspicious/noExplicitAny: the AST is JSON whose shape varies by nodeType; typing it all would mirror solc's spec
type Node = { id: number; nodeType: string; [k: string]: any };

const SOURCES = {
  common: "project/contracts/libraries/Common.sol",
  grantees: "project/contracts/libraries/GranteeKeys.sol",
  paymaster: "project/contracts/OneKeyPaymaster.sol",
};

type Source = { ast: Node; byId: Map<number, Node> };

/**
 * The ASTs of the sources above, each with the node-by-id map of the compilation it came from
 * (ids are unique only within one solc run, and an isolated build compiles each contract alone).
 */
function loadAsts(root: string): Record<string, Source> {
  const sources: Record<string, Source> = {};
  for (const contract of ["ProjectRegistry", "RecordRegistry", "OneKeyPaymaster"]) {
    const artifact = JSON.parse(readFileSync(join(root, `artifacts/contracts/${contract}.sol/${contract}.json`), "utf8"));
    const out = JSON.parse(readFileSync(join(root, "artifacts/build-info", `${artifact.buildInfoId}.output.json`), "utf8")).output;
    const byId = new Map<number, Node>();
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) {
        for (const m of n) walk(m);
        return;
      }
      if (!n || typeof n !== "object") return;
      const node = n as Node;
      if (typeof node.id === "number" && typeof node.nodeType === "string") byId.set(node.id, node);
      for (const v of Object.values(node)) if (v && typeof v === "object") walk(v);
    };
    for (const [name, src] of Object.entries(out.sources as Record<string, { ast: Node }>)) {
      if (sources[name]) continue;
      walk(src.ast);
      sources[name] = { ast: src.ast, byId };
    }
  }
  for (const name of Object.values(SOURCES)) if (!sources[name]) throw new Error(`build info lacks ${name}: run \`npx hardhat build\``);
  return sources;
}

const widthOf = (type: string): number | undefined => {
  const m = /^(?:uint|bytes)(\d+)$/.exec(type);
  if (!m) return type === "address" ? 160 : undefined;
  return type.startsWith("bytes") ? Number(m[1]) * 8 : Number(m[1]);
};
const typeOf = (n: Node): string => n.typeDescriptions?.typeString ?? "";
const SUBDENOMINATIONS: Record<string, bigint> = {
  seconds: 1n,
  minutes: 60n,
  hours: 3600n,
  days: 86_400n,
  weeks: 604_800n,
  wei: 1n,
  gwei: 10n ** 9n,
  ether: 10n ** 18n,
};

/** Evaluates a Solidity constant expression: literals, arithmetic and bit operators, conversions, type(X).max. */
function evaluate(n: Node, byId: Map<number, Node>): bigint {
  const folded = /^int_const (-?\d+)$/.exec(typeOf(n));
  if (folded) return BigInt(folded[1]);
  switch (n.nodeType) {
    case "Literal": {
      if (n.kind !== "number") throw new Error(`not a number literal: ${n.value}`);
      return BigInt(String(n.value).replaceAll("_", "")) * (SUBDENOMINATIONS[n.subdenomination ?? "seconds"] ?? 1n);
    }
    case "TupleExpression":
      return evaluate(n.components[0], byId);
    case "Identifier": {
      const decl = byId.get(n.referencedDeclaration);
      if (decl?.nodeType !== "VariableDeclaration" || !decl.constant) throw new Error(`${n.name} is not a constant`);
      return evaluate(decl.value, byId);
    }
    case "UnaryOperation": {
      const v = evaluate(n.subExpression, byId);
      if (n.operator === "-") return -v;
      if (n.operator === "~") return ((1n << BigInt(widthOf(typeOf(n)) ?? 256)) - 1n) ^ v;
      break;
    }
    case "BinaryOperation": {
      const a = evaluate(n.leftExpression, byId),
        b = evaluate(n.rightExpression, byId);
      const ops: Record<string, (a: bigint, b: bigint) => bigint> = {
        "+": (a, b) => a + b,
        "-": (a, b) => a - b,
        "*": (a, b) => a * b,
        "/": (a, b) => a / b,
        "**": (a, b) => a ** b,
        "<<": (a, b) => a << b,
        ">>": (a, b) => a >> b,
        "|": (a, b) => a | b,
        "&": (a, b) => a & b,
        "^": (a, b) => a ^ b,
      };
      if (ops[n.operator]) return ops[n.operator](a, b);
      break;
    }
    case "FunctionCall":
      if (n.kind === "typeConversion") {
        const v = evaluate(n.arguments[0], byId);
        const w = widthOf(typeOf(n));
        return w ? v & ((1n << BigInt(w)) - 1n) : v;
      }
      break;
    case "MemberAccess": {
      // type(E).max for an enum E, type(uintN).max
      const call = n.expression;
      if (call.nodeType === "FunctionCall" && call.expression.name === "type" && (n.memberName === "max" || n.memberName === "min")) {
        const arg = call.arguments[0];
        const decl = arg.referencedDeclaration !== undefined ? byId.get(arg.referencedDeclaration) : undefined;
        if (decl?.nodeType === "EnumDefinition") return n.memberName === "max" ? BigInt(decl.members.length - 1) : 0n;
        const w = widthOf(arg.typeName?.name ?? "");
        if (w) return n.memberName === "max" ? (1n << BigInt(w)) - 1n : 0n;
      }
      break;
    }
  }
  throw new Error(`cannot evaluate ${n.nodeType} at ${n.src}`);
}

function find(ast: Node, pred: (n: Node) => boolean): Node[] {
  const hits: Node[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const m of n) walk(m);
      return;
    }
    if (!n || typeof n !== "object") return;
    if (pred(n as Node)) hits.push(n as Node);
    for (const v of Object.values(n)) if (v && typeof v === "object") walk(v);
  };
  walk(ast);
  return hits;
}

function one(ast: Node, pred: (n: Node) => boolean, what: string): Node {
  const hits = find(ast, pred);
  if (hits.length !== 1) throw new Error(`expected one ${what}, found ${hits.length}`);
  return hits[0];
}

/** A TypeScript literal for a Solidity value: number up to 48 bits (safe in JS), bigint above. */
function literal(v: bigint, type: string): string {
  if (type === "address") return `"${getAddress(`0x${v.toString(16).padStart(40, "0")}`)}"`;
  if (type.startsWith("bytes")) return `"0x${v.toString(16).padStart(64, "0")}"`;
  if ((widthOf(type) ?? 256) <= 48) return String(v);
  return v >= 1n << 64n ? `0x${v.toString(16)}n` : `${v}n`;
}

export function renderConstants(root: string): string {
  const sources = loadAsts(root);
  const lines: string[] = [
    "// Generated by scripts/gen-abis.ts from the Solidity ASTs in Hardhat's build info and the",
    "// account-abstraction package. Do not edit; run `npm run abis`.",
    "",
  ];
  const constant = (src: string, name: string): { v: bigint; type: string } => {
    const d = one(sources[src].ast, (n) => n.nodeType === "VariableDeclaration" && n.constant && n.name === name, `constant ${name} in ${src}`);
    return { v: evaluate(d.value, sources[src].byId), type: typeOf(d) };
  };
  const emit = (doc: string, name: string, src: string, solName = name, type?: string) => {
    const c = constant(src, solName);
    lines.push(`/** ${doc} */`, `export const ${name} = ${literal(c.v, type ?? c.type)};`, "");
  };
  const file = (src: string) => src.replace(/^project\//, "");

  // A library of bit constants (Roles, ApiKeyScopes) as one object; its ALL as its own constant.
  const bits = (library: string, keyName: (n: string) => string) => {
    const { ast, byId } = sources[SOURCES.common];
    const lib = one(ast, (n) => n.nodeType === "ContractDefinition" && n.name === library, `library ${library}`);
    const entries = lib.nodes.filter((n: Node) => n.nodeType === "VariableDeclaration" && n.constant && n.name !== "ALL");
    return {
      object: `{ ${entries.map((n: Node) => `${keyName(n.name)}: ${evaluate(n.value, byId)}`).join(", ")} }`,
      all: evaluate(one(lib, (n) => n.nodeType === "VariableDeclaration" && n.name === "ALL", `${library}.ALL`).value, byId),
    };
  };
  const roles = bits("Roles", (n) => n);
  lines.push(
    `/** Project role bits (${file(SOURCES.common)} \`Roles\`). */`,
    `export const Roles = ${roles.object} as const;`,
    "export type RoleName = keyof typeof Roles;",
    "/** Every role bit (`Roles.ALL`). */",
    `export const ALL_ROLES = ${roles.all};`,
    "",
  );
  const scopes = bits("ApiKeyScopes", (n) => n.toLowerCase());
  lines.push(
    `/** API-key scope bits, by the name the indexer API uses (${file(SOURCES.common)} \`ApiKeyScopes\`). */`,
    `export const ApiKeyScopes = ${scopes.object} as const;`,
    "export type ApiKeyScopeName = keyof typeof ApiKeyScopes;",
    "/** Every scope bit (`ApiKeyScopes.ALL`). */",
    `export const ALL_API_KEY_SCOPES = ${scopes.all};`,
    "",
  );

  // Claims: one entry per defined bit, each with the NatSpec line the library gives it (the claim's
  // stable meaning); STANDARD, RESERVED and PROJECT are masks over the bits, not claims.
  {
    const { ast, byId } = sources[SOURCES.common];
    const lib = one(ast, (n) => n.nodeType === "ContractDefinition" && n.name === "Claims", "library Claims");
    const MASKS = ["STANDARD", "RESERVED", "PROJECT"];
    const decls = lib.nodes.filter((n: Node) => n.nodeType === "VariableDeclaration" && n.constant);
    const mask = (name: string) => evaluate(one(lib, (n) => n.nodeType === "VariableDeclaration" && n.name === name, `Claims.${name}`).value, byId);
    const claims = decls.filter((n: Node) => !MASKS.includes(n.name));
    lines.push(
      `/** Claim bits an attestation carries (${file(SOURCES.common)} \`Claims\`); a bit keeps its meaning forever. */`,
      "export const Claim = {",
      ...claims.flatMap((n: Node) => [
        ...(n.documentation?.text ? [`  /** ${String(n.documentation.text).trim()} */`] : []),
        `  ${n.name}: ${evaluate(n.value, byId)},`,
      ]),
      "} as const;",
      "export type ClaimName = keyof typeof Claim;",
      "/** Every standard claim bit defined so far (`Claims.STANDARD`). */",
      `export const STANDARD_CLAIMS = ${mask("STANDARD")};`,
      "/** Standard bits not defined yet: attest refuses them (`Claims.RESERVED`). */",
      `export const RESERVED_CLAIMS = ${mask("RESERVED")};`,
      "/** Bits 16-31, whose meaning each project defines for itself (`Claims.PROJECT`). */",
      `export const PROJECT_CLAIMS = ${mask("PROJECT")};`,
      "",
    );
  }

  const enumOf = (name: string): string[] =>
    one(sources[SOURCES.common].ast, (n) => n.nodeType === "EnumDefinition" && n.name === name, `enum ${name}`).members.map((m: Node) => m.name);
  const purposes = enumOf("Purpose");
  lines.push(
    `/** Why a grant exists (${file(SOURCES.common)} \`Purpose\`); values are stable, new ones are appended. */`,
    `export const Purpose = { ${purposes.map((p, i) => `${p}: ${i}`).join(", ")} } as const;`,
    "export type PurposeName = keyof typeof Purpose;",
    "/** Purpose names by value. */",
    `export const PURPOSES = [${purposes.map((p) => `"${p}"`).join(", ")}] as const;`,
    "",
  );
  const modes = enumOf("KeyRelease");
  lines.push(
    `/** How a record's key reaches a grantee (${file(SOURCES.common)} enum \`KeyRelease\`), by mode name. */`,
    `export const KeyReleaseMode = { ${modes.map((m, i) => `${m.toLowerCase()}: ${i}`).join(", ")} } as const;`,
    "export type KeyReleaseMode = keyof typeof KeyReleaseMode;",
    "",
  );
  emit(`Largest number of projects one account may be a member of (${file(SOURCES.common)}).`, "MAX_MEMBERSHIPS", SOURCES.common);
  emit(`Seconds one audit-access entry opens the escrow path for its auditor (${file(SOURCES.common)}).`, "AUDIT_ACCESS_WINDOW", SOURCES.common);
  emit(`Most grants one RecordRegistry.rewrapGrants call re-wraps (${file(SOURCES.common)}).`, "MAX_REWRAP_BATCH", SOURCES.common);
  emit(
    `Bit 255 of a grantee key marks a project (${file(SOURCES.grantees)} \`PROJECT_FLAG\`).`,
    "GRANTEE_PROJECT_FLAG",
    SOURCES.grantees,
    "PROJECT_FLAG",
    "uint256",
  );
  emit(`Gas OneKeyPaymaster charges for its own postOp (\`POSTOP_OVERHEAD_GAS\`).`, "POSTOP_OVERHEAD_GAS", SOURCES.paymaster);
  emit(
    `Unused postOp gas above which EntryPoint charges its 10% penalty (OneKeyPaymaster \`PENALTY_THRESHOLD\`).`,
    "PAYMASTER_PENALTY_THRESHOLD",
    SOURCES.paymaster,
    "PENALTY_THRESHOLD",
  );
  emit(`Most calls one sponsored batch may carry (OneKeyPaymaster \`MAX_BATCH_CALLS\`).`, "MAX_BATCH_CALLS", SOURCES.paymaster);

  // The canonical EntryPoint v0.8: the address the package's own Simple7702Account hard-codes, checked
  // against where the package's EntryPoint bytecode lands through the deterministic CREATE2 deployer.
  const require = createRequire(join(root, "package.json"));
  const simple7702 = readFileSync(require.resolve("@account-abstraction/contracts/accounts/Simple7702Account.sol"), "utf8");
  const m = /IEntryPoint\((0x[0-9a-fA-F]{40})\)/.exec(simple7702);
  if (!m) throw new Error("Simple7702Account.sol no longer names the EntryPoint address");
  const entryPoint = getAddress(m[1]);
  lines.push(
    "/** The canonical EntryPoint v0.8, the same address on every chain (@account-abstraction/contracts 0.8). */",
    `export const ENTRY_POINT_V08 = "${entryPoint}";`,
    "",
  );
  return `${lines.join("\n").trimEnd()}\n`;
}
