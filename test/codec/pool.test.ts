import { BytePool, encode } from "../../src/mqtt/codec/index.js";
import { VECTORS, bytes, hexOf } from "./vectors.js";

describe("BytePool", () => {
  test("hands out zero-filled, non-overlapping views of one slab", () => {
    const pool = new BytePool(256);
    const a = pool.take(10);
    const b = pool.take(20);
    expect(a.buffer).toBe(b.buffer);
    expect(Array.from(a).concat(Array.from(b)).every((x) => x === 0)).toBe(true);
    a.fill(1);
    expect(b.every((x) => x === 0)).toBe(true);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.length);
  });

  test("starts a new slab when one is full, and never reuses a region", () => {
    const sizes: number[] = [];
    const pool = new BytePool(64, (n) => {
      sizes.push(n);
      return new Uint8Array(n);
    });
    const views = Array.from({ length: 20 }, () => pool.take(8));
    expect(sizes).toEqual([64, 64, 64]);
    views.forEach((v, i) => v.fill(i + 1));
    views.forEach((v, i) => expect(v.every((x) => x === i + 1)).toBe(true));
  });

  test("gives an array larger than an eighth of a slab its own allocation", () => {
    const pool = new BytePool(64);
    expect(pool.take(9).buffer.byteLength).toBe(9);
    expect(pool.take(8).buffer.byteLength).toBe(64);
  });

  test("encode with a pool writes the same bytes as without", () => {
    const pool = new BytePool(512);
    for (const v of VECTORS) expect(hexOf(encode(v.packet, v.version, pool))).toBe(hexOf(bytes(v.hex)));
  });
});
