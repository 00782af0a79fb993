// What the Moddable build needs of manifest.json, checked without the SDK: every runtime import of
// every module resolves, by XS's rule, to a module the manifest lists for that platform (and to the
// same file TypeScript compiles), and the config section passes parseConfig as mcconfig delivers it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, normalize, posix } from "node:path";
import { parseConfig } from "../../src/config.js";

interface Section {
  config?: Record<string, unknown>;
  modules?: Record<string, string | string[]>;
}
interface Manifest extends Section {
  platforms: Record<string, Section>;
}

const manifest = JSON.parse(readFileSync("manifest.json", "utf8")) as Manifest;
const PLATFORMS = ["esp32", "esp", "lin", "mac", "win"];
/** Modules the SDK provides (through the manifests this one includes). */
const SDK = /^(embedded:.*|mc\/config|timer|time|preference|net|wifi|sntp|instrumentation)$/;

/** Module name -> repo-relative .ts file, as mcconfig would list them for `platform`. */
function modulesFor(platform: string): Map<string, string> {
  const modules = new Map<string, string>();
  for (const section of [manifest, manifest.platforms[platform]]) {
    for (const [name, value] of Object.entries(section?.modules ?? {})) {
      for (const source of typeof value === "string" ? [value] : value) {
        if (source.startsWith("$(")) continue; // the SDK's own module
        const file = normalize(source);
        if (!file.endsWith("*")) {
          modules.set(name === "*" ? basename(file) : name, `${file}.ts`);
          continue;
        }
        for (const entry of readdirSync(dirname(file))) {
          if (!entry.endsWith(".ts") || entry.endsWith(".d.ts")) continue;
          modules.set(name.replace("*", entry.slice(0, -3)), join(dirname(file), entry));
        }
      }
    }
  }
  return modules;
}

/** Specifiers of the imports that survive compilation (`import type` is erased; `{ type X }` is not). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)(\s+type(?=[\s{]))?[^;]*?\bfrom\s*["']([^"']+)["']/gm))
    if (!match[1]) found.push(match[2]);
  for (const match of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) found.push(match[1]);
  return found;
}

/** XS: a relative specifier is resolved against the importing module's name; ".js" is dropped. */
function xsResolve(from: string, specifier: string): string {
  const name = specifier.replace(/\.m?js$/, "");
  return name.startsWith(".") ? posix.normalize(posix.join(posix.dirname(from), name)) : name;
}

describe("manifest.json for the Moddable build", () => {
  test.each(PLATFORMS)("every import resolves to a listed module on %s", (platform) => {
    const modules = modulesFor(platform);
    expect(modules.get("main")).toBe(join("hosts", "moddable", "main.ts"));
    const problems: string[] = [];
    for (const [name, file] of modules) {
      if (!existsSync(file)) {
        problems.push(`${name}: ${file} is missing`);
        continue;
      }
      for (const specifier of runtimeImports(file)) {
        const target = xsResolve(name, specifier);
        if (SDK.test(target)) continue;
        const listed = modules.get(target);
        if (listed === undefined) problems.push(`${name} imports "${specifier}": no module ${target}`);
        else if (specifier.startsWith(".") && listed !== join(dirname(file), specifier.replace(/\.js$/, ".ts")))
          problems.push(`${name} imports "${specifier}": XS loads ${listed}, TypeScript compiles another file`);
      }
    }
    expect(problems).toEqual([]);
  });

  test.each(PLATFORMS)("the config of %s passes parseConfig, as JSON values and as mcconfig strings", (platform) => {
    const config = { ...manifest.config, ...manifest.platforms[platform]?.config };
    expect(parseConfig(config)).toMatchObject({ ok: true });
    const strings = Object.fromEntries(Object.entries(config).map(([key, value]) => [key, String(value)]));
    expect(parseConfig(strings)).toMatchObject({ ok: true });
  });

  test("includes only the SDK's IO the firmware uses, never the whole of modules/io (its SPI needs a board's include path)", () => {
    const sections = [manifest, ...Object.values(manifest.platforms)] as Array<Section & { include?: string | string[] }>;
    const includes = sections.flatMap((section) => (section.include === undefined ? [] : ([] as string[]).concat(section.include)));
    expect(includes.filter((path) => /modules\/io\/manifest\.json$/.test(path))).toEqual([]);
    const io = new Set(includes.filter((path) => path.startsWith("$(IO)/")));
    expect([...io].sort()).toEqual(["$(IO)/analog/manifest.json", "$(IO)/digital/manifest.json"]);
    const embedded = new Set(sections.flatMap((section) => Object.keys(section.modules ?? {}).filter((name) => name.startsWith("embedded:"))));
    expect([...embedded].sort()).toEqual(["embedded:io/socket/listener", "embedded:io/socket/tcp"]);
  });

  test("names no platform beyond the boards and simulators it has hosts for", () => {
    expect(Object.keys(manifest.platforms).sort()).toEqual([...PLATFORMS, "..."].sort());
  });
});
