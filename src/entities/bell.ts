// The bell's MQTT face: `ring` (the default pattern) or {"pattern":[on,off,...]} (ms) on
// <prefix>/bell; when a ring has played, {"event":"rung","pattern":[...],"ts":...} on
// <prefix>/bell/event. A ring is a momentary action, so a retained command never rings it.
import { Bell } from "../device/bell.js";
import type { Entity, EntityContext } from "./entity.js";
import { readCommand } from "./command.js";

export const DEFAULT_RING: readonly number[] = Object.freeze([200, 100, 200]);

export function createBell(context: EntityContext): Entity {
  const { host, link, config } = context;
  const commandTopic = context.topic("bell");
  const eventTopic = context.topic("bell/event");
  const bell = new Bell({
    pin: host.bell,
    clock: host.clock,
    timers: host.timers,
    maxDuration: config.bellMaxDuration,
    maxRate: config.bellMaxRate,
    onDone(pattern) {
      const ts = host.clock.epoch() ?? null;
      link.publish(eventTopic, JSON.stringify({ event: "rung", pattern, ts }), { qos: 1 });
    },
  });

  link.subscribe(commandTopic, 1, (message) => {
    if (message.retain) {
      context.refuse(commandTopic, message.payload, "retained command ignored: a ring must be fresh.");
      return;
    }
    const command = readCommand(message, context);
    if (!command) return;
    let pattern: readonly number[] | undefined;
    if (!command.json) pattern = command.text.toLowerCase() === "ring" ? DEFAULT_RING : undefined;
    else if (isNumberArray(command.json["pattern"])) pattern = command.json["pattern"];
    if (!pattern) {
      context.refuse(commandTopic, message.payload, 'expected ring or {"pattern":[on,off,...]} in ms.');
      return;
    }
    const refusal = bell.ring(pattern);
    if (refusal) context.refuse(commandTopic, message.payload, refusal);
  });

  return {
    configure(next) {
      bell.setLimits({ maxDuration: next.bellMaxDuration, maxRate: next.bellMaxRate });
    },
    discovery: () => [
      { component: "button", objectId: "bell", config: { name: "Bell", command_topic: commandTopic, payload_press: "ring" } },
    ],
    stop() {
      link.unsubscribe(commandTopic);
      bell.stop();
    },
  };
}

function isNumberArray(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every((item) => typeof item === "number");
}
