// Runs simulator/xs/measure.ts in its own process (xsnap never loads in a jest worker) against
// `broker` and returns its report.
import { execFile } from "node:child_process";
import type { Report } from "../../simulator/xs/measure.js";

export function measureInXs(broker: string): Promise<Report> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["simulator/xs/run.mjs", "--measure", `--broker=${broker}`],
      { maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`the XS measurement failed: ${stderr.slice(-3000) || error.message}`));
        else resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "") as Report);
      },
    );
  });
}
