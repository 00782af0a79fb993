// XS side of test/xs/xsnap.test.ts: echoes, throws from a named function, and reports the engine.
import { serve } from "../../simulator/xs/channel.js";

function failDeepInside(): never {
  throw new RangeError("deliberate failure inside XS");
}

serve((request) => {
  const text = new TextDecoder().decode(request);
  if (text === "throw") failDeepInside();
  if (text === "engine") {
    // Node-only globals are absent in XS; xsnap's own ones are present.
    const names = ["Buffer", "process", "setTimeout", "issueCommand", "gc"];
    const present = names.filter((name) => name in globalThis);
    return new TextEncoder().encode(present.join(","));
  }
  return new TextEncoder().encode(`echo:${text}`);
});
