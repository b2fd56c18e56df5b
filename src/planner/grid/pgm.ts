/**
 * PGM (Netpbm greyscale) decoding: P5 (binary) and P2 (ASCII), 8- or 16-bit samples.
 * Pure bytes in, pixels out; the caller reads the file. Rows are in image order
 * (row 0 = top of the image), as in the file.
 */
import { parseFail, parseOk, type ParseResult } from './parse-result';

export interface PgmImage {
  width: number;
  height: number;
  /** Largest sample value declared in the header (1..65535). */
  maxValue: number;
  /** Samples, `pixels[row * width + col]`, row 0 = top image row. */
  pixels: Uint16Array;
}

const MAX_PIXELS = 1 << 28; // refuse absurd headers before allocating

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/** Reads whitespace/comment-separated ASCII tokens from `bytes` starting at `pos`. */
class TokenReader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  next(): string | undefined {
    const b = this.bytes;
    for (;;) {
      while (this.pos < b.length && isSpace(b[this.pos]!)) this.pos++;
      if (this.pos < b.length && b[this.pos] === 0x23 /* # */) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
        continue;
      }
      break;
    }
    if (this.pos >= b.length) return undefined;
    const start = this.pos;
    while (this.pos < b.length && !isSpace(b[this.pos]!) && b[this.pos] !== 0x23) this.pos++;
    let s = '';
    for (let i = start; i < this.pos; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
}

function headerInt(token: string | undefined, what: string, min: number, max: number): number | string {
  if (token === undefined) return `PGM: header ends before ${what}`;
  if (!/^\d+$/.test(token)) return `PGM: ${what} must be a positive integer, got '${token.slice(0, 20)}'`;
  const v = Number(token);
  if (v < min || v > max) return `PGM: ${what} ${v} is out of range ${min}..${max}`;
  return v;
}

/** Decodes a P5 or P2 PGM image. Never throws on bad data. */
export function parsePgm(bytes: Uint8Array): ParseResult<PgmImage> {
  if (bytes.length === 0) return parseFail('empty', 'PGM: file is empty');
  const magic = bytes.length >= 2 ? String.fromCharCode(bytes[0]!, bytes[1]!) : String.fromCharCode(bytes[0]!);
  if (magic !== 'P5' && magic !== 'P2') {
    const shown = JSON.stringify(magic.replace(/[^\x20-\x7e]/g, '?'));
    return parseFail('bad-header', `PGM: expected P5 or P2, got ${shown}`);
  }
  const reader = new TokenReader(bytes, 2);
  const width = headerInt(reader.next(), 'width', 1, MAX_PIXELS);
  if (typeof width === 'string') return parseFail('bad-size', width);
  const height = headerInt(reader.next(), 'height', 1, MAX_PIXELS);
  if (typeof height === 'string') return parseFail('bad-size', height);
  if (width * height > MAX_PIXELS) return parseFail('bad-size', `PGM: ${width} × ${height} pixels is too large`);
  const maxValue = headerInt(reader.next(), 'maxval', 1, 65535);
  if (typeof maxValue === 'string') return parseFail('bad-header', maxValue);

  const count = width * height;
  const pixels = new Uint16Array(count);
  if (magic === 'P5') {
    // Exactly one whitespace byte separates maxval from the raster.
    const start = reader.pos + 1;
    if (reader.pos >= bytes.length || !isSpace(bytes[reader.pos]!)) {
      return parseFail('truncated', `PGM: no raster after the header (expected ${count} pixels)`);
    }
    const bytesPerSample = maxValue < 256 ? 1 : 2;
    const need = count * bytesPerSample;
    const have = bytes.length - start;
    if (have < need) {
      return parseFail('truncated', `PGM: raster has ${have} bytes, ${width} × ${height} needs ${need}`);
    }
    if (bytesPerSample === 1) {
      pixels.set(bytes.subarray(start, start + count));
    } else {
      for (let i = 0; i < count; i++) pixels[i] = (bytes[start + 2 * i]! << 8) | bytes[start + 2 * i + 1]!;
    }
    for (let i = 0; i < count; i++) {
      if (pixels[i]! > maxValue) return parseFail('bad-value', `PGM: pixel ${i} = ${pixels[i]} exceeds maxval ${maxValue}`);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const tok = reader.next();
      if (tok === undefined) return parseFail('truncated', `PGM: P2 raster has ${i} values, ${width} × ${height} needs ${count}`);
      if (!/^\d+$/.test(tok)) return parseFail('bad-value', `PGM: P2 value ${i} is '${tok.slice(0, 20)}', not an integer`);
      const v = Number(tok);
      if (v > maxValue) return parseFail('bad-value', `PGM: pixel ${i} = ${v} exceeds maxval ${maxValue}`);
      pixels[i] = v;
    }
  }
  return parseOk({ width, height, maxValue, pixels });
}
