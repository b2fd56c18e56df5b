/**
 * Typed outcome of parsing untrusted map data. Parsers in `src/planner/grid` never throw
 * on bad input: a broken file is an expected event (DESIGN.md: bad input gets a clear
 * message), so the caller gets a reason it can branch on and a message it can show.
 */

export type ParseFailureReason =
  /** Input is empty. */
  | 'empty'
  /** Magic number / header line / version line is wrong. */
  | 'bad-header'
  /** Width, height or another size field is missing, non-integer or out of range. */
  | 'bad-size'
  /** Fewer bytes, rows or columns than the header promises. */
  | 'truncated'
  /** A value (pixel, map character, number, threshold) is not what the format allows. */
  | 'bad-value'
  /** A required field is absent. */
  | 'missing-field'
  /** Valid format, but a variant this parser does not handle (e.g. a 16-bit PGM in raw mode). */
  | 'unsupported';

export interface ParseFailure {
  ok: false;
  reason: ParseFailureReason;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | ParseFailure;

export function parseOk<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function parseFail(reason: ParseFailureReason, message: string): ParseFailure {
  return { ok: false, reason, message };
}

/** Strict decimal number (no hex, no empty string, no trailing junk); NaN when not one. */
export function strictNumber(text: string): number {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number.NaN;
  return Number(t);
}
