// Claim bits: the `Claims` library in contracts/libraries/Common.sol, generated into constants.ts
// (test/Claims.ts still reads them back through a probe contract), names <-> bits, and the derivations with one right
// answer. A reviewer derives claims in memory from the fields it was granted; only the bits go
// on-chain, never the birth date or the country behind them.
import { BaseError } from "../errors.ts";
import { Claim, RESERVED_CLAIMS, type ClaimName } from "../constants.ts";

// The bits and masks are generated from the Solidity (scripts/gen-constants.ts); re-exported here so
// `@onekey/sdk/contracts` keeps offering them beside the helpers.
export { Claim, STANDARD_CLAIMS, RESERVED_CLAIMS, PROJECT_CLAIMS, type ClaimName } from "../constants.ts";
/** How many project-defined bits there are (project claim 0..15 is bit 16..31). */
export const PROJECT_CLAIM_COUNT = 16;

/** Claims as the contract takes them (a uint32), or as standard names. */
export type Claims = number | readonly ClaimName[];

export class InvalidClaimError extends BaseError {
  override name = "InvalidClaimError";
  constructor(what: string) {
    super(`Invalid claims: ${what}.`, { docsPath: "contracts.md#claims" });
  }
}

const NAMES = Object.keys(Claim) as ClaimName[];

/** The uint32 for `claims`: names are or-ed, a number is checked (unsigned 32-bit, no reserved bit). */
export function claimsValue(claims: Claims = 0): number {
  if (typeof claims === "number") {
    if (!Number.isSafeInteger(claims) || claims < 0 || claims > 0xffffffff) throw new InvalidClaimError(`${claims} is not a uint32`);
    // `&` works on signed 32-bit integers; `>>> 0` brings bit 31 back as unsigned.
    if ((claims & RESERVED_CLAIMS) >>> 0 !== 0) throw new InvalidClaimError(`reserved bits ${((claims & RESERVED_CLAIMS) >>> 0).toString(16)} are set`);
    return claims;
  }
  if (!Array.isArray(claims)) throw new InvalidClaimError("expected a number or a list of claim names");
  let value = 0;
  for (const name of claims as readonly ClaimName[]) {
    if (!Object.hasOwn(Claim, name)) throw new InvalidClaimError(`unknown claim name "${String(name).slice(0, 40)}"`);
    value |= Claim[name];
  }
  return value >>> 0;
}

/** The bit of project-defined claim `index` (0..15), i.e. bit 16 + index. */
export function projectClaim(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= PROJECT_CLAIM_COUNT) throw new InvalidClaimError(`project claim ${index} is not in 0..15`);
  return 2 ** (16 + index);
}

/** What a claims word says: the standard names set, and the indices (0..15) of project claims set. */
export function decodeClaims(claims: number): { names: ClaimName[]; project: number[] } {
  const value = claimsValue(claims);
  return {
    names: NAMES.filter((n) => (value & Claim[n]) !== 0),
    project: Array.from({ length: PROJECT_CLAIM_COUNT }, (_, i) => i).filter((i) => Math.floor(value / 2 ** (16 + i)) % 2 === 1),
  };
}

/** Whether `claims` carries every bit of `mask` (what `hasClaims` checks on-chain). */
export function includesClaims(claims: number, mask: Claims): boolean {
  const m = claimsValue(mask);
  return (claimsValue(claims) & m) >>> 0 === m;
}

// --- derivations ---------------------------------------------------------------------------------

export class InvalidDateError extends BaseError {
  override name = "InvalidDateError";
  constructor(what: string) {
    // The value itself is personal data (a birth date): the message names the problem only.
    super(`Invalid date: ${what}.`, { docsPath: "contracts.md#claims" });
  }
}

type CalendarDate = { year: number; month: number; day: number };

function parseCalendarDate(value: string, label: string): CalendarDate {
  const m = typeof value === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!m) throw new InvalidDateError(`${label} must be a YYYY-MM-DD calendar date`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new InvalidDateError(`${label} is not a day of the calendar`);
  }
  return { year, month, day };
}

function onDate(on: Date | string): CalendarDate {
  if (typeof on === "string") return parseCalendarDate(on, "the review date");
  if (!(on instanceof Date) || Number.isNaN(on.getTime())) throw new InvalidDateError("the review date is not a valid Date");
  // An instant is read as its UTC calendar date, so the answer does not depend on the reviewer's
  // time zone: the same review gives the same bit everywhere.
  return { year: on.getUTCFullYear(), month: on.getUTCMonth() + 1, day: on.getUTCDate() };
}

/**
 * Completed years of age on `on` (default now, read as a UTC calendar date) for a date of birth
 * `YYYY-MM-DD`. A birthday is reached when (month, day) is reached, so someone born on 29 February
 * turns a year older on 1 March in common years (never early: the conservative answer for age
 * gates, and the rule in e.g. English law).
 */
export function ageOn(dateOfBirth: string, on: Date | string = new Date()): number {
  const birth = parseCalendarDate(dateOfBirth, "the date of birth");
  const today = onDate(on);
  const before = today.month < birth.month || (today.month === birth.month && today.day < birth.day);
  const age = today.year - birth.year - (before ? 1 : 0);
  if (age < 0) throw new InvalidDateError("the date of birth is after the review date");
  return age;
}

/** AGE_OVER_18 and AGE_OVER_21 as they hold on `on` for that date of birth. */
export function ageClaims(dateOfBirth: string, on: Date | string = new Date()): number {
  const age = ageOn(dateOfBirth, on);
  return (age >= 18 ? Claim.AGE_OVER_18 : 0) | (age >= 21 ? Claim.AGE_OVER_21 : 0);
}

export class InvalidCountryCodeError extends BaseError {
  override name = "InvalidCountryCodeError";
  constructor(what: string) {
    super(`Invalid country code: ${what}.`, { docsPath: "contracts.md#claims" });
  }
}

function countryCode(value: string, label: string): string {
  // Shape only (two ASCII letters, any case): whether a code is currently assigned is the
  // allow-list author's call, and an unassigned code simply matches nothing.
  if (typeof value !== "string" || !/^[A-Za-z]{2}$/.test(value)) throw new InvalidCountryCodeError(`${label} must be an ISO 3166-1 alpha-2 code`);
  return value.toUpperCase();
}

/** Whether `country` (ISO 3166-1 alpha-2, any case) is in `allowList` (same, any case). */
export function isCountryIn(country: string, allowList: readonly string[]): boolean {
  const code = countryCode(country, "the country");
  if (!Array.isArray(allowList)) throw new InvalidCountryCodeError("the allow-list must be a list of codes");
  return allowList.map((c, i) => countryCode(c, `allow-list entry ${i}`)).includes(code);
}

/** COUNTRY_ALLOWED when `country` is in the project's allow-list, else 0. */
export const countryClaims = (country: string, allowList: readonly string[]): number => (isCountryIn(country, allowList) ? Claim.COUNTRY_ALLOWED : 0);
