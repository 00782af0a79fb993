// XS side of test/xs/codec.test.ts: "seed count" -> the seeded round-trip text computed in XS;
// "vectors" + JSON lines of {hex, version} -> the vector round-trip text.
import { serve } from "../../simulator/xs/channel.js";
import type { ProtocolVersion } from "../../src/mqtt/codec/index.js";
import { roundTrip, vectorTrip } from "./codec-roundtrip.js";

serve((request) => {
  const text = new TextDecoder().decode(request);
  if (text.startsWith("vectors\n")) {
    const vectors = JSON.parse(text.slice(8)) as Array<{ hex: string; version: ProtocolVersion }>;
    return new TextEncoder().encode(vectorTrip(vectors));
  }
  const [seed, count] = text.split(" ").map(Number);
  return new TextEncoder().encode(roundTrip(seed, count));
});
