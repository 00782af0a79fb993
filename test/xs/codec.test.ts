import { VECTORS } from "../codec/vectors.js";
import { roundTrip, vectorTrip } from "./codec-roundtrip.js";
import { startLab, type Lab } from "./lab.js";

// The same seeded packets encoded and decoded on XS and on Node: every byte and field equal.
describe("the codec inside XS", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab("test/xs/codec.xs.ts");
  });
  afterAll(() => lab.close());

  test.each([1, 2, 3])("seed %i: 1,000 packets give the same bytes and the same decoded packets as on Node", async (seed) => {
    const onNode = roundTrip(seed, 1000).split("\n");
    const onXs = (await lab.send(`${seed} 1000`)).reply.split("\n");
    expect(onXs.length).toBe(1000);
    // Line by line, so a failure shows the one packet that differs.
    for (let i = 0; i < onNode.length; i++) expect({ packet: i, xs: onXs[i] }).toEqual({ packet: i, xs: onNode[i] });
  });

  test("the codec's byte vectors decode to the same packets and encode to the same bytes in XS as on Node", async () => {
    const vectors = VECTORS.map(({ hex, version }) => ({ hex, version }));
    const onNode = vectorTrip(vectors).split("\n");
    const onXs = (await lab.send(`vectors\n${JSON.stringify(vectors)}`)).reply.split("\n");
    expect(onXs.length).toBe(VECTORS.length);
    for (let i = 0; i < onNode.length; i++) expect({ vector: VECTORS[i].name, xs: onXs[i] }).toEqual({ vector: VECTORS[i].name, xs: onNode[i] });
    // And on Node each one gives back its own bytes: the comparison above is not between two wrongs.
    for (const [i, line] of onNode.entries()) {
      const again = (JSON.parse(line) as { again: string }).again;
      expect({ vector: VECTORS[i].name, again }).toEqual({ vector: VECTORS[i].name, again: `hex:${VECTORS[i].hex.replace(/\s+/g, "").toLowerCase()}` });
    }
  });

  test("the generated packets are valid: each encodes and decodes to one packet without error", () => {
    for (const line of roundTrip(4, 1000).split("\n")) {
      const result = JSON.parse(line) as { threw?: string; decoded?: unknown[]; errors?: unknown[] };
      expect(result.threw).toBeUndefined();
      expect(result.decoded).toHaveLength(1);
      expect(result.errors).toEqual([]);
    }
  });
});
