import { startLab, type Lab } from "./lab.js";

describe("an XS machine driven over xsnap's command channel", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab("test/xs/probe.xs.ts");
  });
  afterAll(() => lab.close());

  test("a command round-trips through handleCommand and is metered", async () => {
    const { reply, compute } = await lab.send("ping");
    expect(reply).toBe("echo:ping");
    expect(compute).toBeGreaterThan(0);
  });

  test("the engine is XS: no Node globals, xsnap's own are there", async () => {
    expect((await lab.send("engine")).reply).toBe("issueCommand,gc");
  });

  test("an exception inside XS arrives as the XS error with its stack, naming the source module", async () => {
    await expect(lab.send("throw")).rejects.toThrow(
      /RangeError: deliberate failure inside XS\n at failDeepInside \(bundle line \d+, test\/xs\/probe\.xs\.ts\)/,
    );
    expect((await lab.send("still alive")).reply).toBe("echo:still alive");
  });

  test("the live heap is measured in slots and chunk bytes", async () => {
    const heap = await lab.heap();
    expect(heap.slots).toBeGreaterThan(1000);
    expect(heap.chunkBytes).toBeGreaterThan(0);
    expect(heap.boardBytes).toBe(heap.slots * 16 + heap.chunkBytes);
  });
});
