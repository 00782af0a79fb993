// `npm run bench:xs`: the firmware in XS against a real Mosquitto, per step the XS compute count
// (xsnap's meter) and the live heap after a forced GC, plus the bundle's size. Counts, not seconds.
import "@endo/init";
import { measure } from "../simulator/xs/measure.js";
import { startMosquitto } from "../test/support/mosquitto.js";

const mosquitto = await startMosquitto();
try {
  const report = await measure(mosquitto.url);
  const rows = [
    ["step", "XS compute", "live slots", "chunk bytes", "board estimate"],
    ["bundle evaluated (baseline)", "", ...figures(report.baseline)],
    ...report.steps.map((step) => [step.step, step.compute.toLocaleString("en"), ...figures(step.heap)]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  "));
    if (i === 0) console.log(widths.map((width) => "-".repeat(width)).join("  "));
  }
  console.log();
  console.log(`bundle: ${report.bundleBytes.toLocaleString("en")} bytes (minified ${report.bundleMinifiedBytes.toLocaleString("en")})`);
  console.log(
    `running app, board estimate: ${report.app.boardBytes.toLocaleString("en")} bytes, ` +
      `${report.app.withoutOutbox.toLocaleString("en")} without the ${report.app.outboxBytes}-byte outbox arena (budget 16,384)`,
  );
  console.log("what the parts hold once built (a host that never connects; the client's includes its outbox arena):");
  for (const part of report.parts) {
    console.log(`  ${part.part.padEnd(9)} ${String(part.slots).padStart(4)} slots  ${String(part.chunkBytes).padStart(5)} chunk bytes  ${part.boardBytes.toLocaleString("en").padStart(6)} board bytes`);
  }
  console.log(`heap growth across 10,000 publishes after warm-up: ${report.growth.slots} slots, ${report.growth.chunkBytes} chunk bytes`);
  const { offline } = report;
  console.log(
    `outbox offline (budget ${offline.budget} bytes): ${offline.accepted} QoS 1 accepted, ${offline.refused} refused, ` +
      `${offline.bytes} bytes in ${offline.messages} messages`,
  );
  console.log(
    "board estimate = live slots x 16 bytes (a slot on a 32-bit board) + live chunk bytes as this 64-bit host counts them " +
      "(the snapshot's BLOC section, chunk headers included: an upper bound for the board)",
  );
} finally {
  await mosquitto.stop();
}

function figures(heap: { slots: number; chunkBytes: number; boardBytes: number }): string[] {
  return [heap.slots, heap.chunkBytes, heap.boardBytes].map((n) => n.toLocaleString("en"));
}
