// XS side of the stack calibration (stack.ts): answers each command beneath the padding, with a
// leaf that uses next to nothing (op 0) or the locals of globalThis.heavyLeaf (op 1).
import { serve } from "./channel.js";

serve((request) => {
  if (request[0] === 1) (globalThis as { heavyLeaf?: () => number }).heavyLeaf?.();
  return undefined;
});
