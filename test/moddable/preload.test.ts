// Preload without warnings, checked without the SDK. Moddable runs the firmware's modules at build
// time and the XS linker (xsl) keeps what they made in flash: it freezes functions, their
// prototypes and module environments itself, makes Maps, Sets and binary buffers read-only, and
// warns about the rest that a module's functions can reach, because each such object or binding
// costs RAM on the board: "not frozen" for an object that is not frozen, "no const" for a `let`
// or `var` binding. This scan makes the same walk from every top-level binding of every src/
// module the manifest preloads (a superset of what the module's functions capture).
import { readFileSync } from "node:fs";
import { build, type Plugin } from "esbuild";

const manifest = JSON.parse(readFileSync("manifest.json", "utf8")) as { modules: Record<string, string | string[]>; preload: string[] };

/** The src/ files the manifest maps to names its preload list names. */
function preloadedSources(): string[] {
  const preload = manifest.preload.map((pattern) => new RegExp(`^${pattern.replace(/\*/g, "[^/]+")}$`));
  const files: string[] = [];
  for (const [name, value] of Object.entries(manifest.modules)) {
    for (const source of ([] as string[]).concat(value)) {
      if (!source.startsWith("./src/")) continue;
      const base = source.slice(2);
      if (!base.endsWith("*")) {
        const moduleName = name === "*" ? base.split("/").pop()! : name;
        if (preload.some((p) => p.test(moduleName))) files.push(`${base}.ts`);
        continue;
      }
      const dir = base.slice(0, -1);
      for (const entry of readdirTs(dir)) {
        if (preload.some((p) => p.test(name.replace("*", entry.slice(0, -3))))) files.push(`${dir}${entry}`);
      }
    }
  }
  return files.sort();
}

function readdirTs(dir: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readdirSync } = require("node:fs") as typeof import("node:fs");
  return readdirSync(dir).filter((entry) => entry.endsWith(".ts") && !entry.endsWith(".d.ts"));
}

/** Top-level bindings of a module's source, with their kind (this tree keeps them at column 0). */
function topLevel(source: string): Array<{ name: string; kind: string }> {
  const found: Array<{ name: string; kind: string }> = [];
  for (const m of source.matchAll(/^(?:export\s+)?(?:default\s+)?(?:async\s+)?(const|let|var|function\*?|class)\s+([A-Za-z_$][\w$]*)/gm))
    found.push({ name: m[2], kind: m[1] });
  return found;
}

/** Appends to every src/ module an export of its top-level bindings, read through getters. */
const exposeBindings: Plugin = {
  name: "expose-bindings",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const entries = topLevel(source).map(({ name, kind }) => `[${JSON.stringify(name)}, ${JSON.stringify(kind)}, () => ${name}]`);
      return { contents: `${source}\nexport const __bindings = [${entries.join(", ")}];\n`, loader: "ts" };
    });
  },
};

type Binding = [name: string, kind: string, read: () => unknown];

async function loadBindings(files: string[]): Promise<Map<string, Binding[]>> {
  const entry = files.map((file, i) => `export { __bindings as m${i} } from "./${file}";`).join("\n");
  const result = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: "ts" },
    bundle: true,
    write: false,
    format: "cjs",
    platform: "neutral",
    plugins: [exposeBindings],
    logLevel: "silent",
  });
  const module = { exports: {} as Record<string, Binding[]> };
  new Function("module", "exports", result.outputFiles[0].text)(module, module.exports);
  return new Map(files.map((file, i) => [file, module.exports[`m${i}`]]));
}

const INTRINSICS = new Set<unknown>([Object.prototype, Array.prototype, Function.prototype, null]);
const READ_ONLY: Array<[new (...args: never[]) => object, string]> = [
  [Map, "Map"],
  [Set, "Set"],
  [WeakMap, "WeakMap"],
  [WeakSet, "WeakSet"],
  [ArrayBuffer, "ArrayBuffer"],
  [DataView, "DataView"],
];

/** What xsl would warn about, as its lines read: "<module>: <path>: not frozen". */
function preloadWarnings(bindings: Map<string, Binding[]>): string[] {
  const warnings: string[] = [];
  const seen = new Set<object>();
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "function" || typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (value instanceof RegExp) return; // xsl makes regular expressions read-only, and they hold no state of ours
    // An empty typed array cannot be written: sharing one (an empty payload) costs nothing.
    if (ArrayBuffer.isView(value) && value.byteLength === 0) return;
    const readOnly = READ_ONLY.find(([type]) => value instanceof type) ?? (ArrayBuffer.isView(value) ? [Uint8Array, "typed array"] : undefined);
    if (readOnly) {
      warnings.push(`${path}: a ${readOnly[1]}, read-only once preloaded`);
      return;
    }
    if (!Object.isFrozen(value)) warnings.push(`${path}: not frozen`);
    const prototype = Object.getPrototypeOf(value);
    if (!INTRINSICS.has(prototype) && prototype.constructor?.prototype !== prototype) walk(prototype, `${path}.__proto__`);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
      const name = Array.isArray(value) && typeof key === "string" && /^\d+$/.test(key) ? `[${key}]` : `.${String(key)}`;
      if ("value" in descriptor) walk(descriptor.value, `${path}${name}`);
    }
  };
  for (const [file, list] of bindings) {
    const module = file.replace(/^src\//, "").replace(/\.ts$/, "");
    for (const [name, kind, read] of list) {
      const value = read();
      if ((kind === "let" || kind === "var") && typeof value !== "function") warnings.push(`${module}: ${name}: no const`);
      walk(value, `${module}: ${name}`);
    }
  }
  return warnings;
}

describe("preloading the firmware's modules (xsl's rules, without the SDK)", () => {
  test("every object a preloaded module keeps at top level is frozen, and every binding is const", async () => {
    const files = preloadedSources();
    expect(files).toEqual(expect.arrayContaining(["src/app.ts", "src/config.ts", "src/mqtt/client.ts", "src/utf8.ts", "src/entities/lamp.ts"]));
    expect(preloadWarnings(await loadBindings(files))).toEqual([]);
  });

  test("the scan finds what xsl finds: a table frozen only at its top, a let, a preloaded Map", async () => {
    const bindings = new Map<string, Binding[]>([
      [
        "src/example.ts",
        [
          ["FIELDS", "const", () => Object.freeze({ broker: { kind: "string" } })],
          ["count", "let", () => 0],
          ["cache", "const", () => new Map()],
          ["RING", "const", () => Object.freeze([200, 100])],
          ["start", "let", () => () => undefined],
        ],
      ],
    ]);
    expect(preloadWarnings(bindings)).toEqual(["example: FIELDS.broker: not frozen", "example: count: no const", "example: cache: a Map, read-only once preloaded"]);
  });
});
