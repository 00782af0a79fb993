// The Store port as a directory: one file per key, each write atomic (temp file, then rename), so a
// process killed mid-write leaves the old value or the new one, never half of one.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "../../src/host.js";
import { checkStoreKey } from "./store-key.js";

// Keys may hold characters a file name cannot ("/", ":" ...): those become %XX. Names never start
// with "." (it is encoded), so temp files, which do, are never mistaken for keys.
const PLAIN = /[A-Za-z0-9_-]/;

function fileName(key: string): string {
  let name = "";
  for (const char of key) {
    name += PLAIN.test(char) ? char : `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
  }
  return name;
}

function keyOf(name: string): string | undefined {
  if (name.startsWith(".")) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

export class FileStore implements Store {
  readonly dir: string;
  #temps = 0;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  read(key: string): Uint8Array | undefined {
    checkStoreKey(key);
    try {
      const data = readFileSync(join(this.dir, fileName(key)));
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch {
      return undefined;
    }
  }

  write(key: string, value: Uint8Array): boolean {
    checkStoreKey(key);
    const temp = join(this.dir, `.${fileName(key)}.${process.pid}.${this.#temps++}`);
    try {
      writeFileSync(temp, value);
      renameSync(temp, join(this.dir, fileName(key)));
      return true;
    } catch {
      try {
        rmSync(temp, { force: true });
      } catch {
        // the directory itself is what failed
      }
      return false;
    }
  }

  delete(key: string): void {
    checkStoreKey(key);
    rmSync(join(this.dir, fileName(key)), { force: true });
  }

  keys(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const keys: string[] = [];
    for (const name of names) {
      const key = keyOf(name);
      if (key !== undefined) keys.push(key);
    }
    return keys;
  }
}
