// Bundles an XS-side entry (the host adapter and the src/ it imports) into one global script for
// xsnap, and names the source module behind a line of an XS stack.
import { build } from "esbuild";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";

export interface XsBundle {
  code: string;
  /** Size in bytes of the script evaluated by XS. */
  bytes: number;
  /** Where the script was written, for reading (build/xs/, never committed). */
  file: string;
}

export async function bundleForXs(entry: string, options: { minify?: boolean } = {}): Promise<XsBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "neutral",
    target: "es2022",
    minify: options.minify ?? false,
    legalComments: "none",
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  const name = `${basename(entry, ".ts")}${options.minify ? ".min" : ""}.js`;
  const file = resolve("build", "xs", name);
  // Written via a private temporary file so that parallel runs never read a half-written bundle.
  mkdirSync(resolve("build", "xs"), { recursive: true });
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, code);
  renameSync(temporary, file);
  return { code, bytes: Buffer.byteLength(code), file };
}

/** Rewrites XS stack positions `(#0:LINE)` into `(bundle line LINE, src/file.ts)`. */
export function explainStack(text: string, code: string): string {
  const lines = code.split("\n");
  return text.replace(/\(#\d+:(\d+)\)/g, (whole, line: string) => {
    // esbuild starts every bundled module with a `// path/to/file.ts` comment line.
    for (let at = Number(line) - 1; at >= 0 && at < lines.length; at--) {
      const found = /^\s*\/\/ ([\w./-]+\.[cm]?[jt]s)$/.exec(lines[at]);
      if (found) return `(bundle line ${line}, ${found[1]})`;
    }
    return whole;
  });
}
