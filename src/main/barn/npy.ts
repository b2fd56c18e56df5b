/**
 * A reader for the NumPy `.npy` files BARN ships its reference paths in: a 2-D array of
 * little-endian int64 (`descr '<i8'`). Format (numpy.lib.format): the magic `\x93NUMPY`,
 * a major and minor version byte, the header length (uint16 LE in version 1, uint32 LE in
 * versions 2 and 3), a Python-literal dict `{'descr': …, 'fortran_order': …, 'shape': (…)}`
 * padded with spaces and a newline, then the raw data.
 */

/** A malformed or unsupported `.npy` file; the message says what is wrong in plain words. */
export class NpyFormatError extends Error {
  override readonly name = 'NpyFormatError';
}

/** A 2-D integer matrix in row-major order: `data[row * cols + col]`. */
export interface IntMatrix {
  rows: number;
  cols: number;
  data: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeaderDict(text: string): NpyHeader {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined) throw new NpyFormatError("header has no 'descr'");
  if (fortran === undefined) throw new NpyFormatError("header has no 'fortran_order'");
  if (shapeText === undefined) throw new NpyFormatError("header has no 'shape'");
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw new NpyFormatError(`bad dimension '${s}' in shape`);
      return n;
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}

/**
 * Parses a `.npy` holding a 2-D little-endian int64 array (`'<i8'`) into numbers.
 * Values beyond ±2^53 are refused (cell indices never come near).
 * @throws NpyFormatError when the bytes are not such a file
 */
export function parseNpyInt64Matrix(bytes: Uint8Array): IntMatrix {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyFormatError('not a .npy file (magic \\x93NUMPY missing)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError('file ends inside the header');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyFormatError(`unsupported .npy version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new NpyFormatError('file ends inside the header');
  const header = parseHeaderDict(new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart)));
  if (header.descr !== '<i8') throw new NpyFormatError(`expected little-endian int64 ('<i8'), found '${header.descr}'`);
  if (header.shape.length !== 2) throw new NpyFormatError(`expected a 2-D array, found shape (${header.shape.join(', ')})`);
  const [rows, cols] = header.shape as [number, number];
  const count = rows * cols;
  const need = dataStart + count * 8;
  if (bytes.length < need) throw new NpyFormatError(`data too short: shape (${rows}, ${cols}) needs ${count * 8} bytes, file has ${bytes.length - dataStart}`);
  const data = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const v = view.getBigInt64(dataStart + i * 8, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new NpyFormatError(`value ${v} at element ${i} is too large`);
    // Fortran order stores columns first: element i is (i % rows, ⌊i / rows⌋).
    const index = header.fortranOrder ? (i % rows) * cols + Math.floor(i / rows) : i;
    data[index] = Number(v);
  }
  return { rows, cols, data };
}
