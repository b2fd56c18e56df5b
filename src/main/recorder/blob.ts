/**
 * Compact binary encodings for array-heavy records (scans, trajectories, candidate samples,
 * predictions). All numbers little-endian; coordinates float32 (≈ 1 µm at 10 m, far below
 * what the review needs) — a JSON array of doubles would take 3–4× the space.
 */
import type { PersonView } from '../../shared/api';
import type { RecordedCandidate } from '../../shared/recording';

/** float32 LE bytes of `values`. */
export function encodeF32(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/** Decodes float32 LE bytes (any alignment). */
export function decodeF32(bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength >>> 2;
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Decodes float32 LE bytes to a plain number array (for JSON-friendly API results). */
export function decodeF32Array(bytes: Uint8Array): number[] {
  return Array.from(decodeF32(bytes));
}

/**
 * Keeps at most `maxPoints` points of a flat [x0, y0, …] polyline, evenly spaced by index,
 * always including the first and the last.
 */
export function decimatePolyline(points: ArrayLike<number>, maxPoints: number): number[] {
  const n = points.length >>> 1;
  if (n <= maxPoints || maxPoints < 2) return Array.from(points).slice(0, n * 2);
  const out: number[] = new Array<number>(maxPoints * 2);
  for (let k = 0; k < maxPoints; k++) {
    const i = Math.round((k * (n - 1)) / (maxPoints - 1));
    out[k * 2] = points[i * 2]!;
    out[k * 2 + 1] = points[i * 2 + 1]!;
  }
  return out;
}

class Writer {
  private offset = 0;
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(v: number): void { this.view.setUint8(this.offset, v); this.offset += 1; }
  u16(v: number): void { this.view.setUint16(this.offset, v, true); this.offset += 2; }
  u32(v: number): void { this.view.setUint32(this.offset, v, true); this.offset += 4; }
  i32(v: number): void { this.view.setInt32(this.offset, v, true); this.offset += 4; }
  f32(v: number): void { this.view.setFloat32(this.offset, v, true); this.offset += 4; }
  f32s(values: ArrayLike<number>, count: number): void {
    for (let i = 0; i < count; i++) this.f32(values[i]!);
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;
  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(): number { const v = this.view.getUint8(this.offset); this.offset += 1; return v; }
  u16(): number { const v = this.view.getUint16(this.offset, true); this.offset += 2; return v; }
  u32(): number { const v = this.view.getUint32(this.offset, true); this.offset += 4; return v; }
  i32(): number { const v = this.view.getInt32(this.offset, true); this.offset += 4; return v; }
  f32(): number { const v = this.view.getFloat32(this.offset, true); this.offset += 4; return v; }
  f32s(count: number): number[] {
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = this.f32();
    return out;
  }
}

/**
 * Candidate sample: u32 count, u8 term count; then per candidate f32 cost, f32 × terms,
 * u16 point count, f32 × 2·points.
 */
export function encodeCandidates(termCount: number, candidates: readonly RecordedCandidate[]): Uint8Array {
  let size = 5;
  for (const c of candidates) size += 4 + termCount * 4 + 2 + (c.points.length >>> 1) * 8;
  const w = new Writer(size);
  w.u32(candidates.length);
  w.u8(termCount);
  for (const c of candidates) {
    w.f32(c.cost);
    for (let i = 0; i < termCount; i++) w.f32(c.terms[i] ?? NaN);
    const n = c.points.length >>> 1;
    w.u16(n);
    w.f32s(c.points, n * 2);
  }
  return w.bytes;
}

export function decodeCandidates(bytes: Uint8Array): RecordedCandidate[] {
  const r = new Reader(bytes);
  const count = r.u32();
  const termCount = r.u8();
  const out: RecordedCandidate[] = [];
  for (let k = 0; k < count; k++) {
    const cost = r.f32();
    const terms = r.f32s(termCount);
    const n = r.u16();
    out.push({ cost, terms, points: r.f32s(n * 2) });
  }
  return out;
}

/**
 * People: u16 count; per person i32 id, f32 x y vx vy risk, u8 future count; per future
 * f32 probability, u16 point count, f32 × 2·points.
 */
export function encodePeople(people: readonly PersonView[]): Uint8Array {
  let size = 2;
  for (const p of people) {
    size += 4 + 5 * 4 + 1;
    for (const f of p.futures) size += 4 + 2 + (f.points.length >>> 1) * 8;
  }
  const w = new Writer(size);
  w.u16(people.length);
  for (const p of people) {
    w.i32(p.id);
    w.f32(p.x); w.f32(p.y); w.f32(p.vx); w.f32(p.vy); w.f32(p.risk);
    w.u8(p.futures.length);
    for (const f of p.futures) {
      w.f32(f.probability);
      const n = f.points.length >>> 1;
      w.u16(n);
      w.f32s(f.points, n * 2);
    }
  }
  return w.bytes;
}

export function decodePeople(bytes: Uint8Array): PersonView[] {
  const r = new Reader(bytes);
  const count = r.u16();
  const out: PersonView[] = [];
  for (let k = 0; k < count; k++) {
    const id = r.i32();
    const x = r.f32(), y = r.f32(), vx = r.f32(), vy = r.f32(), risk = r.f32();
    const nf = r.u8();
    const futures: PersonView['futures'] = [];
    for (let j = 0; j < nf; j++) {
      const probability = r.f32();
      const n = r.u16();
      futures.push({ probability, points: r.f32s(n * 2) });
    }
    out.push({ id, x, y, vx, vy, risk, futures });
  }
  return out;
}
