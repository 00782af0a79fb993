// Several brokers in the url: the client stays on a node while it works, moves to another when a
// connect fails or the link is lost, and takes its outbox along. On a scripted broker, so the
// exact packets written to each node can be read.
import mqttPacket from "mqtt-packet";
import { CONNACK, hex, scripted } from "./fake-broker.js";

function frame(packet: object): string {
  return hex(mqttPacket.generate(packet as mqttPacket.Packet, { protocolVersion: 4 }));
}

const THREE = "mqtt://a.test:1883,mqtt://b.test:1884, mqtt://c.test:1885";
const where = (s: ReturnType<typeof scripted>) => s.links.map((link) => `${link.options.host}:${link.options.port}`);

describe("several brokers", () => {
  test("listed: the first node, then the next after each failure, round the list", () => {
    const s = scripted({ url: THREE });
    s.client.start();
    for (let i = 0; i < 4; i++) {
      s.link().fail("connection refused");
      s.retry();
    }
    expect(where(s)).toEqual(["a.test:1883", "b.test:1884", "c.test:1885", "a.test:1883", "b.test:1884"]);
    // Each refusal names the node that refused, and the log says where the next try goes.
    expect(s.errors.map((e) => e.message.split(":").slice(0, 3).join(":"))).toEqual([
      "cannot connect to mqtt://a.test:1883",
      "cannot connect to mqtt://b.test:1884",
      "cannot connect to mqtt://c.test:1885",
      "cannot connect to mqtt://a.test:1883",
    ]);
    expect(s.logs.filter((line) => line.startsWith("mqtt: next try on"))).toEqual([
      "mqtt: next try on mqtt://b.test:1884",
      "mqtt: next try on mqtt://c.test:1885",
      "mqtt: next try on mqtt://a.test:1883",
      "mqtt: next try on mqtt://b.test:1884",
    ]);
  });

  test("a node that works is kept: it is left only when its link is lost, and health names the node", () => {
    const s = scripted({ url: THREE, keepalive: 0 });
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    expect(s.client.stats().broker).toBe("mqtt://a.test:1883");
    s.clock.advance(120_000);
    expect(s.links).toHaveLength(1);
    s.link().fail("connection reset");
    expect(s.client.broker).toBe("mqtt://b.test:1884");
    s.retry();
    expect(where(s)).toEqual(["a.test:1883", "b.test:1884"]);
  });

  test("the outbox moves along: a QoS 1 message the lost node never acknowledged goes to the next node", () => {
    const s = scripted({ url: THREE, keepalive: 0 });
    s.client.start();
    s.link().open();
    s.link().send(CONNACK);
    s.link().take();
    let acked = 0;
    s.client.publish("t", "reading 1", { qos: 1 }, (error) => {
      if (!error) acked++;
    });
    expect(s.link().take()).toEqual([frame({ cmd: "publish", topic: "t", payload: "reading 1", qos: 1, messageId: 1 })]);
    s.link().fail("connection reset"); // a.test dies before its PUBACK
    s.retry();
    s.link().open();
    // A clean start on b.test: it knows nothing of message 1, which goes again, marked DUP.
    expect(s.link().take()).toEqual([frame({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 0, clientId: "c1" })]);
    s.link().send(CONNACK);
    expect(s.link().take()).toEqual([frame({ cmd: "publish", topic: "t", payload: "reading 1", qos: 1, messageId: 1, dup: true })]);
    s.link().send("40020001");
    expect(acked).toBe(1);
    expect(where(s)).toEqual(["a.test:1883", "b.test:1884"]);
  });

  test("random: starts where random() points and moves to another node, never the same one", () => {
    let draw = 0;
    const draws = [0.9, 0.0, 0.99, 0.5, 0.0];
    const s = scripted({ url: THREE, brokerOrder: "random" }, undefined, () => draws[draw++ % draws.length]);
    s.client.start();
    for (let i = 0; i < 4; i++) {
      s.link().fail("connection refused");
      s.retry();
    }
    const nodes = where(s);
    expect(nodes[0]).toBe("c.test:1885");
    for (let i = 1; i < nodes.length; i++) expect(nodes[i]).not.toBe(nodes[i - 1]);
  });

  test("one broker: nothing moves and nothing is logged about it", () => {
    const s = scripted();
    s.client.start();
    s.link().fail("connection refused");
    s.retry();
    expect(where(s)).toEqual(["broker.test:1883", "broker.test:1883"]);
    expect(s.logs.some((line) => line.startsWith("mqtt: next try on"))).toBe(false);
  });
});
