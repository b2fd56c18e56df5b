// Loads test/vectors/link-vectors.json (written by scripts/gen-link-vectors.ts) with types.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LinkMessage } from '../../src/shared/protocol';

export const VECTORS_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../vectors/link-vectors.json');
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export type JsonFloat = number | 'NaN' | 'Infinity' | '-Infinity';

export interface FrameVector {
  name: string;
  note?: string;
  type: LinkMessage['type'];
  type_id: number;
  seq: number;
  timestamp_us: number;
  message: Record<string, JsonFloat | boolean | string | JsonFloat[]>;
  frame_hex: string;
  wire_hex: string;
}

export interface NegativeVector { name: string; note: string; error: string; wire_hex: string }
export interface StreamVector { name: string; note: string; results: string[]; frames_hex: string[]; wire_hex: string }

export interface LinkVectors {
  protocol_version: number;
  limits: Record<string, number>;
  error_names: string[];
  crc: Array<{ name: string; data_hex: string; crc: number }>;
  cobs: Array<{ name: string; decoded_hex: string; encoded_hex: string }>;
  frames: FrameVector[];
  negative: NegativeVector[];
  streams: StreamVector[];
}

export function loadVectors(): LinkVectors {
  return JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as LinkVectors;
}

export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const num = (v: unknown): number => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number));

/** The vector's message as a LinkMessage (ranges as Float32Array, non-finite strings as numbers). */
export function messageOf(v: FrameVector): LinkMessage {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v.message)) {
    if (k === 'ranges') out[k] = Float32Array.from((val as JsonFloat[]).map(num));
    else if (typeof val === 'string' && k !== 'type' && k !== 'name') out[k] = num(val);
    else out[k] = val;
  }
  return out as unknown as LinkMessage;
}
