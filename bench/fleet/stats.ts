// Small figures for the fleet's tables: percentiles, the busiest one-second window, Markdown tables.

/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The most timestamps (ms) falling in any window of `windowMs`, from `from` on. */
export function peakPerWindow(times: readonly number[], from: number, to: number, windowMs = 1000): number {
  const inside = times.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let peak = 0;
  for (let lo = 0, hi = 0; hi < inside.length; hi++) {
    while (inside[hi] - inside[lo] >= windowMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

export function countBetween(times: readonly number[], from: number, to: number): number {
  let n = 0;
  for (const t of times) if (t >= from && t <= to) n++;
  return n;
}

/** A Markdown table, columns padded so it reads as plain text too. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(3, ...all.map((row) => (row[column] ?? "").length)));
  const line = (row: readonly string[]): string => `| ${row.map((cell, column) => (cell ?? "").padEnd(widths[column])).join(" | ")} |`;
  return [line(header), `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

export const seconds = (ms: number): string => (Number.isNaN(ms) ? "n/a" : `${(ms / 1000).toFixed(2)} s`);
export const millis = (ms: number): string => (Number.isNaN(ms) ? "n/a" : `${ms.toFixed(1)} ms`);
