// The lamp: an on/off output (src/entities/relay.ts) on an active-high pin, shown to Home
// Assistant as a light. Commands on <prefix>/lamp, the state on <prefix>/lamp/state.
import { frozenFields } from "../fields.js";
import { onOff, type OnOffKind } from "./relay.js";

export const lamp: OnOffKind = onOff(
  "light",
  "Lamp",
  frozenFields({
    pin: { kind: "integer", default: 2, min: 0, max: 255, doc: "GPIO of the lamp's output (active high)" },
    retained: { kind: "boolean", default: false, doc: "whether a retained command (seen when subscribing) switches the lamp" },
  }),
);
