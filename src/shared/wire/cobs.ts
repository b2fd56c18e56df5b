/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker 1999). Removes every 0x00 from a
 * frame so that 0x00 can delimit frames on the wire; overhead ≤ 1 byte per 254.
 */

/** Encodes `data` (without the trailing delimiter). */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 254) + 1);
  let codeIndex = 0;
  let write = 1;
  let code = 1;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if (byte === 0) {
      out[codeIndex] = code;
      codeIndex = write++;
      code = 1;
    } else {
      out[write++] = byte;
      code++;
      if (code === 0xff) {
        out[codeIndex] = code;
        codeIndex = write++;
        code = 1;
      }
    }
  }
  out[codeIndex] = code;
  return out.subarray(0, write);
}

/** Decodes one COBS block (delimiter already stripped). Returns null when malformed. */
export function cobsDecode(data: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(data.length);
  let read = 0;
  let write = 0;
  while (read < data.length) {
    const code = data[read]!;
    // A zero code, or a block running past the end, is not COBS.
    if (code === 0 || read + code > data.length) return null;
    read++;
    for (let i = 1; i < code; i++) {
      const byte = data[read++]!;
      if (byte === 0) return null;
      out[write++] = byte;
    }
    if (code !== 0xff && read < data.length) out[write++] = 0;
  }
  return out.subarray(0, write);
}
