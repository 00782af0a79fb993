// UTF-8 in plain code, so every runtime (XS on a board, Node, the simulator) shares one
// implementation and src/ needs no TextEncoder. Strict on input, as MQTT requires.

/** Bytes needed to encode `text`; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder does. */
export function utf8Length(text: string): number {
  const n = text.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
      continue;
    }
    if (c <= 0xdbff && c >= 0xd800 && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 2; // two code units, four bytes
        i++;
        continue;
      }
    }
    bytes += 2;
  }
  return bytes;
}

/** Writes `text` as UTF-8 into `out` at `pos` (the caller sized `out` with utf8Length); returns the end. */
export function writeUtf8(text: string, out: Uint8Array, pos: number): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
      continue;
    }
    if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[pos++] = 0xf0 | (c >> 18);
        out[pos++] = 0x80 | ((c >> 12) & 0x3f);
        out[pos++] = 0x80 | ((c >> 6) & 0x3f);
        out[pos++] = 0x80 | (c & 0x3f);
        continue;
      }
      c = 0xfffd;
    }
    out[pos++] = 0xe0 | (c >> 12);
    out[pos++] = 0x80 | ((c >> 6) & 0x3f);
    out[pos++] = 0x80 | (c & 0x3f);
  }
  return pos;
}

export function encodeUtf8(text: string): Uint8Array {
  const out = new Uint8Array(utf8Length(text));
  writeUtf8(text, out, 0);
  return out;
}

/** Decodes strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF); undefined if invalid. */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string | undefined {
  return decodeText(bytes, start, end, true);
}

// fromCharCode.apply passes its array as call arguments, one stack slot each: a long text decoded
// in one call overflows a board's XS stack of 384 slots. So at most PIECE code units per call,
// and the pieces joined once at the end (XS strings are flat: += per piece would copy the text
// again and again). Short texts, such as topics, are one piece and one call.
const PIECE = 32;

/** decodeUtf8, optionally refusing U+0000 (MQTT strings must not contain it). */
export function decodeText(bytes: Uint8Array, start: number, end: number, allowNul: boolean): string | undefined {
  if (start < 0 || end > bytes.length || start > end) return undefined;
  const n = end - start;
  // One slot more than a piece, so a surrogate pair never has to be split across two pieces.
  const units: number[] = new Array<number>(n < PIECE ? n : PIECE + 1);
  let pieces: string[] | undefined;
  let k = 0;
  let i = start;
  while (i < end) {
    const a = bytes[i];
    if (a < 0x80) {
      if (a === 0 && !allowNul) return undefined;
      units[k++] = a;
      i++;
    } else if (a < 0xc2) {
      return undefined; // continuation byte or overlong 2-byte lead
    } else if (a < 0xe0) {
      if (i + 1 >= end) return undefined;
      const b = bytes[i + 1];
      if ((b & 0xc0) !== 0x80) return undefined;
      units[k++] = ((a & 0x1f) << 6) | (b & 0x3f);
      i += 2;
    } else if (a < 0xf0) {
      if (i + 2 >= end) return undefined;
      const b = bytes[i + 1];
      const c = bytes[i + 2];
      if ((b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80) return undefined;
      if (a === 0xe0 && b < 0xa0) return undefined; // overlong
      if (a === 0xed && b >= 0xa0) return undefined; // UTF-16 surrogate
      units[k++] = ((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f);
      i += 3;
    } else if (a < 0xf5) {
      if (i + 3 >= end) return undefined;
      const b = bytes[i + 1];
      const c = bytes[i + 2];
      const d = bytes[i + 3];
      if ((b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80 || (d & 0xc0) !== 0x80) return undefined;
      if (a === 0xf0 && b < 0x90) return undefined; // overlong
      if (a === 0xf4 && b >= 0x90) return undefined; // past U+10FFFF
      const cp = (((a & 0x07) << 18) | ((b & 0x3f) << 12) | ((c & 0x3f) << 6) | (d & 0x3f)) - 0x10000;
      units[k++] = 0xd800 + (cp >> 10);
      units[k++] = 0xdc00 + (cp & 0x3ff);
      i += 4;
    } else {
      return undefined;
    }
    if (k >= PIECE) {
      units.length = k;
      (pieces ??= []).push(String.fromCharCode.apply(null, units));
      k = 0;
    }
  }
  if (k !== units.length) units.length = k;
  const last = k === 0 ? "" : String.fromCharCode.apply(null, units);
  if (pieces === undefined) return last;
  if (k !== 0) pieces.push(last);
  return pieces.join("");
}
