/**
 * Compact binary encodings for array-heavy records (scans, trajectories, candidate samples,
 * predictions). All numbers little-endian. Scans and chosen trajectories are float32 (what
 * the wire carries; ≈ 1 µm at 10 m). Candidate and predicted polylines — the bulk of a
 * recording — are stored as millimetre int16 offsets from their first point (exact to
 * 0.5 mm, half the bytes), falling back to float32 when a polyline spans more than ±32 m.
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

/** Polyline storage modes. */
const POLY_F32 = 0;
const POLY_MM16 = 1;
const MM16_LIMIT_M = 32.767;

/** Whether a flat polyline fits millimetre int16 offsets from its first point. */
function fitsMm16(points: ArrayLike<number>, n: number): boolean {
  if (n === 0) return false;
  const x0 = points[0]!;
  const y0 = points[1]!;
  if (!Number.isFinite(x0) || !Number.isFinite(y0)) return false;
  for (let i = 1; i < n; i++) {
    const dx = points[i * 2]! - x0;
    const dy = points[i * 2 + 1]! - y0;
    if (!(Math.abs(dx) <= MM16_LIMIT_M && Math.abs(dy) <= MM16_LIMIT_M)) return false;
  }
  return true;
}

/** Encoded size of a polyline, bytes: u8 mode, u16 count, then the points. */
function polylineBytes(points: ArrayLike<number>): number {
  const n = points.length >>> 1;
  return 3 + (fitsMm16(points, n) ? 8 + (n - 1) * 4 : n * 8);
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
  i16(v: number): void { this.view.setInt16(this.offset, v, true); this.offset += 2; }
  f32s(values: ArrayLike<number>, count: number): void {
    for (let i = 0; i < count; i++) this.f32(values[i]!);
  }
  polyline(points: ArrayLike<number>): void {
    const n = points.length >>> 1;
    if (fitsMm16(points, n)) {
      this.u8(POLY_MM16);
      this.u16(n);
      // Offsets from the stored (float32) origin, so decoding adds them to the same value.
      const x0 = Math.fround(points[0]!);
      const y0 = Math.fround(points[1]!);
      this.f32(x0);
      this.f32(y0);
      for (let i = 1; i < n; i++) {
        this.i16(Math.round((points[i * 2]! - x0) * 1000));
        this.i16(Math.round((points[i * 2 + 1]! - y0) * 1000));
      }
    } else {
      this.u8(POLY_F32);
      this.u16(n);
      this.f32s(points, n * 2);
    }
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
  i16(): number { const v = this.view.getInt16(this.offset, true); this.offset += 2; return v; }
  f32s(count: number): number[] {
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = this.f32();
    return out;
  }
  polyline(): number[] {
    const mode = this.u8();
    const n = this.u16();
    if (mode === POLY_F32) return this.f32s(n * 2);
    const out = new Array<number>(n * 2);
    if (n === 0) return out;
    const x0 = this.f32();
    const y0 = this.f32();
    out[0] = x0;
    out[1] = y0;
    for (let i = 1; i < n; i++) {
      out[i * 2] = x0 + this.i16() / 1000;
      out[i * 2 + 1] = y0 + this.i16() / 1000;
    }
    return out;
  }
}

/**
 * Candidate sample: u32 count, u8 term count; then per candidate f32 cost, f32 × terms,
 * polyline (see Writer.polyline).
 */
export function encodeCandidates(termCount: number, candidates: readonly RecordedCandidate[]): Uint8Array {
  let size = 5;
  for (const c of candidates) size += 4 + termCount * 4 + polylineBytes(c.points);
  const w = new Writer(size);
  w.u32(candidates.length);
  w.u8(termCount);
  for (const c of candidates) {
    w.f32(c.cost);
    for (let i = 0; i < termCount; i++) w.f32(c.terms[i] ?? NaN);
    w.polyline(c.points);
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
    out.push({ cost, terms, points: r.polyline() });
  }
  return out;
}

/**
 * People: u16 count; per person i32 id, f32 x y vx vy risk, u8 future count; per future
 * f32 probability, polyline.
 */
export function encodePeople(people: readonly PersonView[]): Uint8Array {
  let size = 2;
  for (const p of people) {
    size += 4 + 5 * 4 + 1;
    for (const f of p.futures) size += 4 + polylineBytes(f.points);
  }
  const w = new Writer(size);
  w.u16(people.length);
  for (const p of people) {
    w.i32(p.id);
    w.f32(p.x); w.f32(p.y); w.f32(p.vx); w.f32(p.vy); w.f32(p.risk);
    w.u8(p.futures.length);
    for (const f of p.futures) {
      w.f32(f.probability);
      w.polyline(f.points);
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
      futures.push({ probability, points: r.polyline() });
    }
    out.push({ id, x, y, vx, vy, risk, futures });
  }
  return out;
}
