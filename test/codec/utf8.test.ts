import { decodeUtf8, encodeUtf8, utf8Length } from "../../src/utf8.js";

const samples = ["", "home/office/lamp", "température", "€uro", "水", "😀 emoji", "a\u0000b", "\u07ff\u0800\uffff", "𐍈𝄞"];

describe("utf8", () => {
  test("encodes exactly as Node's Buffer and measures the same length", () => {
    for (const s of samples) {
      expect(encodeUtf8(s)).toEqual(new Uint8Array(Buffer.from(s, "utf8")));
      expect(utf8Length(s)).toBe(Buffer.byteLength(s, "utf8"));
    }
  });

  test("encodes a lone surrogate as U+FFFD, like TextEncoder", () => {
    for (const s of ["\ud800", "a\udc00b", "\ud83d"]) {
      expect(encodeUtf8(s)).toEqual(new TextEncoder().encode(s));
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    }
  });

  test("round-trips text, including a range inside a larger buffer", () => {
    for (const s of samples) expect(decodeUtf8(encodeUtf8(s))).toBe(s);
    const bytes = encodeUtf8("xx€yy");
    expect(decodeUtf8(bytes, 2, 5)).toBe("€");
  });

  test("decodes long text across the internal chunk size", () => {
    const s = "é".repeat(5000) + "a".repeat(5000) + "😀".repeat(3000);
    expect(decodeUtf8(encodeUtf8(s))).toBe(s);
  });

  test("decodes surrogate pairs at every position around the piece boundary", () => {
    for (let k = 0; k < 70; k++) {
      const s = "a".repeat(k) + "😀".repeat(40) + "é";
      expect(decodeUtf8(encodeUtf8(s))).toBe(s);
    }
  });

  test("refuses invalid UTF-8: stray continuations, overlongs, surrogates, past U+10FFFF, truncation", () => {
    const bad = [
      [0x80],
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x80, 0x80, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xff],
      [0xe2, 0x82],
      [0x61, 0xc3],
      [0xc3, 0x41],
    ];
    for (const b of bad) expect(decodeUtf8(new Uint8Array(b))).toBeUndefined();
  });

  test("agrees with TextDecoder (fatal) on random byte strings", () => {
    const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 5000; n++) {
      const bytes = new Uint8Array(1 + (n % 9));
      for (let i = 0; i < bytes.length; i++) bytes[i] = n % 3 === 0 ? next() : 0x80 | (next() & 0x7f) | (i === 0 ? 0x40 : 0);
      let expected: string | undefined;
      try {
        expected = fatal.decode(bytes);
      } catch {
        expected = undefined;
      }
      expect(decodeUtf8(bytes)).toBe(expected);
    }
  });
});
