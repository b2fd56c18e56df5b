/**
 * UTF-8 for the Hello name, in plain TypeScript: TextEncoder and TextDecoder are not
 * ECMAScript, so the pure layers do not see them. Both functions follow the WHATWG Encoding
 * Standard and give exactly what `new TextEncoder().encode(s)` and
 * `new TextDecoder('utf-8').decode(bytes)` (not fatal) give: a lone surrogate encodes as
 * U+FFFD; each maximal malformed subpart decodes as one U+FFFD; a leading byte-order mark
 * is dropped.
 */

const REPLACEMENT = 0xfffd;

/** UTF-8 bytes of `s`. */
export function utf8Encode(s: string): Uint8Array {
  // At most 3 bytes per UTF-16 unit (a surrogate pair is 2 units → 4 bytes).
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = REPLACEMENT;
      }
    }
    if (cp < 0x80) {
      out[n++] = cp;
    } else if (cp < 0x800) {
      out[n++] = 0xc0 | (cp >> 6);
      out[n++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[n++] = 0xe0 | (cp >> 12);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    } else {
      out[n++] = 0xf0 | (cp >> 18);
      out[n++] = 0x80 | ((cp >> 12) & 0x3f);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    }
  }
  return out.slice(0, n);
}

/** The string UTF-8 `bytes` hold; malformed sequences become U+FFFD (the Encoding Standard's decoder). */
export function utf8Decode(bytes: Uint8Array): string {
  const units: number[] = [];
  let first = true;
  const emit = (cp: number): void => {
    // A byte-order mark as the first code point is dropped, as TextDecoder does by default.
    if (first) {
      first = false;
      if (cp === 0xfeff) return;
    }
    if (cp < 0x10000) {
      units.push(cp);
    } else {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    }
  };
  let needed = 0;
  let seen = 0;
  let cp = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (needed === 0) {
      if (byte <= 0x7f) {
        emit(byte);
      } else if (byte >= 0xc2 && byte <= 0xdf) {
        needed = 1;
        cp = byte & 0x1f;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        needed = 2;
        cp = byte & 0x0f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        needed = 3;
        cp = byte & 0x07;
      } else {
        emit(REPLACEMENT);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // The sequence so far is one error; this byte starts afresh.
      needed = seen = cp = 0;
      lower = 0x80;
      upper = 0xbf;
      emit(REPLACEMENT);
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (byte & 0x3f);
    if (++seen !== needed) continue;
    emit(cp);
    needed = seen = cp = 0;
  }
  if (needed !== 0) emit(REPLACEMENT);
  let s = '';
  for (let i = 0; i < units.length; i += 4096) s += String.fromCharCode(...units.slice(i, i + 4096));
  return s;
}
