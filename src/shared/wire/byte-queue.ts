/**
 * A growable byte FIFO for frame-oriented decoders on either end of a serial link (drivers
 * and emulators): bytes arrive in any chunking, frames are peeked and dropped from the front.
 */
/** Bounded, so a stream of garbage cannot grow it forever. */
export class ByteQueue {
  private buf = new Uint8Array(256);
  private start = 0;
  private end = 0;

  constructor(private readonly maxBytes = 65536) {}

  get length(): number {
    return this.end - this.start;
  }

  push(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.maxBytes) {
      // Keep the newest bytes: an old half-frame is worth less than what just arrived.
      const keep = Math.max(0, this.maxBytes - bytes.length);
      this.start = this.end - Math.min(keep, this.length);
    }
    if (this.end + bytes.length > this.buf.length) {
      const need = this.length + bytes.length;
      const next = new Uint8Array(Math.max(need * 2, 256));
      next.set(this.buf.subarray(this.start, this.end), 0);
      this.end -= this.start;
      this.start = 0;
      this.buf = next;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** Byte at offset i from the front. */
  at(i: number): number {
    return this.buf[this.start + i]!;
  }

  /** The first n bytes (a view, valid until the next push). */
  peek(n: number): Uint8Array {
    return this.buf.subarray(this.start, this.start + Math.min(n, this.length));
  }

  /** Drops n bytes from the front. */
  drop(n: number): void {
    this.start = Math.min(this.end, this.start + n);
    if (this.start === this.end) this.start = this.end = 0;
  }

  clear(): void {
    this.start = this.end = 0;
  }
}
