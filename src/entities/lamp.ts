// The lamp's MQTT face: `on`, `off`, `toggle` or {"state":"ON"|"OFF"|"TOGGLE"} on <prefix>/lamp;
// the state, retained, on <prefix>/lamp/state after every command and every (re)connect. The last
// state is kept in the store and restored at boot. A retained command (seen when subscribing) is
// applied only when config.lampRetained is true: by default the store, not an old retained
// message, decides how the lamp wakes up.
import { Lamp } from "../device/lamp.js";
import type { Entity, EntityContext } from "./entity.js";
import { readCommand } from "./command.js";

export const LAMP_KEY = "app.lamp";

const ACTIONS: readonly string[] = Object.freeze(["on", "off", "toggle"]);

export function createLamp(context: EntityContext): Entity {
  const { host, link, config } = context;
  const lamp = new Lamp(host.lamp, host.store.read(LAMP_KEY)?.[0] === 1);
  const commandTopic = context.topic("lamp");
  const stateTopic = context.topic("lamp/state");
  let honourRetained = config.lampRetained;

  // QoS 0: the state is republished on every connect, so a lost one costs nothing; and a QoS 1
  // PUBACK left unacknowledged on our socket lets the broker's Nagle delay the next command ~40 ms.
  const publishState = (): void => {
    link.publish(stateTopic, lamp.on ? "on" : "off", { qos: 0, retain: true, coalesce: true });
  };

  link.subscribe(commandTopic, 1, (message) => {
    if (message.retain && !honourRetained) {
      host.log(`ignored retained ${commandTopic} command (lampRetained is false)`);
      return;
    }
    const command = readCommand(message, context);
    if (!command) return;
    const word = command.json ? command.json["state"] : command.text;
    const action = typeof word === "string" ? word.toLowerCase() : undefined;
    if (action === undefined || !ACTIONS.includes(action)) {
      const reason = command.json
        ? 'expected {"state":"ON"}, {"state":"OFF"} or {"state":"TOGGLE"}.'
        : "expected on, off, toggle or a JSON object.";
      context.refuse(commandTopic, message.payload, reason);
      return;
    }
    const changed = lamp.set(action === "toggle" ? !lamp.on : action === "on");
    if (changed && !host.store.write(LAMP_KEY, Uint8Array.of(lamp.on ? 1 : 0)))
      host.log("could not store the lamp state; it will not survive a reboot");
    publishState();
  });

  return {
    connected: publishState,
    configure(next) {
      honourRetained = next.lampRetained;
    },
    discovery: () => [
      {
        component: "light",
        objectId: "lamp",
        config: { name: "Lamp", command_topic: commandTopic, state_topic: stateTopic, payload_on: "on", payload_off: "off" },
      },
    ],
    stop() {
      link.unsubscribe(commandTopic);
    },
  };
}
