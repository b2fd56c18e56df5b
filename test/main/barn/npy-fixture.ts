/** Builds `.npy` bytes by hand (no NumPy needed): header dict padded to 64 bytes, int64 data. */
export interface NpyFixtureOptions {
  version?: 1 | 2 | 3 | 4;
  descr?: string;
  fortranOrder?: boolean;
  /** Defaults to [rows.length, rows[0].length]. */
  shape?: number[];
}

export function makeNpy(rows: number[][], opts: NpyFixtureOptions = {}): Uint8Array {
  const version = opts.version ?? 1;
  const shape = opts.shape ?? [rows.length, rows[0]?.length ?? 0];
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${opts.descr ?? '<i8'}', 'fortran_order': ${opts.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - prefix - 1, ' ') + '\n';
  const values = rows.flat();
  const bytes = new Uint8Array(total + values.length * 8);
  const view = new DataView(bytes.buffer);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), prefix);
  values.forEach((v, i) => view.setBigInt64(total + i * 8, BigInt(v), true));
  return bytes;
}
