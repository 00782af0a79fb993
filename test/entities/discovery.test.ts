import { DEVICES } from "../../src/devices.js";
import { discoveryPayload, discoveryTopic, publishDiscovery } from "../../src/entities/discovery.js";
import type { DiscoveryEntry } from "../../src/entities/entity.js";
import { encode } from "../../src/mqtt/codec/encode.js";
import { ErrorCode } from "../../src/mqtt/errors.js";
import type { MqttError } from "../../src/mqtt/link.js";
import { config, setup } from "./fakes.js";

/** Every discovery config the device table gives, from a fresh set of entities. */
function tableEntries(raw: Record<string, unknown> = {}): DiscoveryEntry[] {
  const { create } = setup(raw);
  return DEVICES.flatMap((line) => create(line.kind, line.name, line.topic).discovery?.() ?? []);
}

/** The PUBLISH packet's size on the wire (MQTT 5, QoS 1, no properties). */
function packetSize(topic: string, payload: string): number {
  return encode({ cmd: "publish", topic, payload, qos: 1, dup: false, messageId: 1, retain: true }, 5).length;
}

describe("Home Assistant discovery", () => {
  test("a config uses the abbreviated keys, ~ as its base topic, availability, a unique id and the device", () => {
    const entry: DiscoveryEntry = { component: "light", objectId: "lamp", config: { name: "Lamp", cmd_t: "home/office/lamp", stat_t: "home/office/lamp/state", json_attr_t: "other/lamp" } };
    const parsed = config({ deviceId: "desk" });
    expect(discoveryTopic(parsed, entry)).toBe("homeassistant/light/desk/lamp/config");
    expect(JSON.parse(discoveryPayload(parsed, entry))).toEqual({
      "~": "home/office",
      name: "Lamp",
      cmd_t: "~/lamp",
      stat_t: "~/lamp/state",
      json_attr_t: "other/lamp",
      uniq_id: "desk_lamp",
      avty_t: "~/status",
      dev: { ids: "desk", name: "desk" },
    });
  });

  test("the table's devices give a light, a button, a sensor, a switch and three device triggers", () => {
    const entries = tableEntries();
    expect(entries.map((e) => `${e.component}/${e.objectId}`)).toEqual([
      "light/lamp",
      "button/bell",
      "sensor/temperature",
      "switch/relay",
      "device_automation/button_press",
      "device_automation/button_long",
      "device_automation/button_double",
    ]);
    const trigger = JSON.parse(discoveryPayload(config(), entries[4]));
    expect(trigger).toEqual({
      "~": "home/office",
      atype: "trigger",
      t: "~/button",
      type: "button_short_press",
      stype: "button",
      pl: "press",
      dev: { ids: "xs-device", name: "xs-device" },
    });
  });

  test("configs fit small packets: 256 bytes but the temperature's (303) with the default ids, 1024 with the longest id and a 40-character prefix", () => {
    const small = config();
    const sizes = tableEntries().map((entry) => [entry.objectId, packetSize(discoveryTopic(small, entry), discoveryPayload(small, entry))]);
    expect(Object.fromEntries(sizes)).toEqual({ lamp: 243, bell: 208, temperature: 303, relay: 249, button_press: 224, button_long: 221, button_double: 227 });
    const id = "d".repeat(23);
    const long = config({ deviceId: id, prefix: `site/${"p".repeat(35)}` });
    for (const entry of tableEntries({ deviceId: id, prefix: long.prefix }))
      expect(packetSize(discoveryTopic(long, entry), discoveryPayload(long, entry))).toBeLessThanOrEqual(1024);
  });

  test("a config the link will not take is reported, and the others still go", () => {
    const { link } = setup();
    const entries = tableEntries();
    const refused: MqttError[] = [];
    const publish = link.publish.bind(link);
    link.publish = (topic, payload, options, done) =>
      topic.includes("/switch/") ? { code: ErrorCode.TOO_LARGE, message: "the message is 300 bytes; the broker takes at most 256", topic } : publish(topic, payload, options, done);
    publishDiscovery(link, config(), entries, (error) => refused.push(error));
    expect(refused).toEqual([expect.objectContaining({ code: ErrorCode.TOO_LARGE, topic: "homeassistant/switch/xs-device/relay/config" })]);
    expect(link.published.map((p) => p.topic)).toHaveLength(entries.length - 1);
  });

  test("with discovery off, the configs are removed with empty retained payloads", () => {
    const { link } = setup();
    publishDiscovery(link, config({ discovery: false }), tableEntries().slice(0, 1), () => undefined);
    expect(link.published).toEqual([{ topic: "homeassistant/light/xs-device/lamp/config", text: "", options: { qos: 1, retain: true, coalesce: true } }]);
  });
});
