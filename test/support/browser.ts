// A real browser for the panel's tests: Debian's Chromium (apt-get install chromium), driven by
// Playwright through its executable path. Playwright never downloads a browser here.
import { accessSync, constants } from "node:fs";
import { chromium, type Browser } from "playwright";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  for (const path of [env.CHROMIUM, ...CANDIDATES]) {
    if (!path) continue;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next
    }
  }
  throw new Error("chromium not found: install it (apt-get install chromium) or set CHROMIUM to its path");
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: ["--no-sandbox"] });
}
