import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore } from "../../hosts/node/file-store.js";

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe("FileStore", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "file-store-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("stores values across instances on the same directory (a reboot)", () => {
    const first = new FileStore(join(dir, "nested", "store"));
    expect(first.write("outbox.0001", bytes(0x32, 0x05))).toBe(true);
    expect(first.write("cfg", bytes(1))).toBe(true);
    const second = new FileStore(join(dir, "nested", "store"));
    expect(second.read("outbox.0001")).toEqual(bytes(0x32, 0x05));
    expect(second.keys().sort()).toEqual(["cfg", "outbox.0001"]);
  });

  test("overwrites, deletes, and reads a missing key as undefined", () => {
    const store = new FileStore(dir);
    store.write("k", bytes(1, 2, 3));
    store.write("k", bytes(4));
    expect(store.read("k")).toEqual(bytes(4));
    store.delete("k");
    store.delete("k");
    expect(store.read("k")).toBeUndefined();
    expect(store.keys()).toEqual([]);
  });

  test("keeps keys with characters a file name cannot hold, and leaves no temp files", () => {
    const store = new FileStore(dir);
    const odd = ["a/b", "..", "x:y*?", "%41", ".hidden", "sp ace"];
    odd.forEach((key, i) => expect(store.write(key, bytes(i))).toBe(true));
    expect(store.keys().sort()).toEqual([...odd].sort());
    odd.forEach((key, i) => expect(store.read(key)).toEqual(bytes(i)));
    expect(readdirSync(dir).filter((name) => name.startsWith("."))).toEqual([]);
  });

  test("ignores stray temp files left by a process killed mid-write", () => {
    const store = new FileStore(dir);
    store.write("k", bytes(1));
    writeFileSync(join(dir, ".k.999.0"), "half a value");
    expect(store.keys()).toEqual(["k"]);
    expect(store.read("k")).toEqual(bytes(1));
  });

  test("write returns false when the directory cannot be written", () => {
    const store = new FileStore(join(dir, "gone"));
    rmSync(join(dir, "gone"), { recursive: true });
    writeFileSync(join(dir, "gone"), "a file where the directory was");
    expect(store.write("k", bytes(1))).toBe(false);
    expect(store.keys()).toEqual([]);
  });

  test("refuses keys the board's storage could not hold", () => {
    expect(() => new FileStore(dir).write("sixteen-chars-xx", bytes(1))).toThrow(RangeError);
  });
});
