import { MemoryStore } from "../support/memory-store.js";

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe("MemoryStore", () => {
  test("stores, lists and deletes values by key", () => {
    const store = new MemoryStore();
    expect(store.write("outbox.1", bytes(1, 2, 3))).toBe(true);
    expect(store.write("cfg", bytes(9))).toBe(true);
    expect(store.read("outbox.1")).toEqual(bytes(1, 2, 3));
    expect(store.keys().sort()).toEqual(["cfg", "outbox.1"]);
    store.delete("cfg");
    store.delete("never-there");
    expect(store.read("cfg")).toBeUndefined();
    expect(store.keys()).toEqual(["outbox.1"]);
  });

  test("keeps its own copy: changing written or read bytes does not change the stored value", () => {
    const store = new MemoryStore();
    const value = bytes(1, 2);
    store.write("k", value);
    value[0] = 7;
    const read = store.read("k") as Uint8Array;
    read[1] = 7;
    expect(store.read("k")).toEqual(bytes(1, 2));
  });

  test("while failWrites is on, writes return false and leave the old value", () => {
    const store = new MemoryStore();
    store.write("k", bytes(1));
    store.failWrites = true;
    expect(store.write("k", bytes(2))).toBe(false);
    expect(store.write("new", bytes(3))).toBe(false);
    expect(store.read("k")).toEqual(bytes(1));
    expect(store.keys()).toEqual(["k"]);
    store.failWrites = false;
    expect(store.write("k", bytes(2))).toBe(true);
    expect(store.writes).toBe(4);
  });

  test("counts the bytes of the values it holds", () => {
    const store = new MemoryStore();
    store.write("a", new Uint8Array(10));
    store.write("b", new Uint8Array(5));
    store.write("a", new Uint8Array(3));
    expect(store.bytes).toBe(8);
    store.delete("b");
    expect(store.bytes).toBe(3);
  });

  test("refuses keys the board's storage could not hold", () => {
    const store = new MemoryStore();
    expect(() => store.write("a-key-longer-than-15", bytes(1))).toThrow(/1 to 15 printable ASCII/);
    expect(() => store.read("")).toThrow(RangeError);
    expect(() => store.write("café", bytes(1))).toThrow(RangeError);
    expect(store.write("exactly-15-char", bytes(1))).toBe(true);
  });
});
