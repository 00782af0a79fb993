// Publish throughput to a local Mosquitto at QoS 0, 1 and 2: our client vs MQTT.js (npm `mqtt`)
// and `mosquitto_pub -l`, measured in the same run and printed as ratios. Each run covers
// connect, N publishes and the broker's acknowledgement of the last one (for QoS 0 a QoS 1
// fence behind them; mosquitto_pub: the whole process). Run: npm run bench:client
import { spawn } from "node:child_process";
import mqtt from "mqtt";
import { createNodeHost } from "../hosts/node/host.js";
import { MqttClient } from "../src/mqtt/client.js";
import type { QoS } from "../src/mqtt/codec/index.js";
import { startMosquitto } from "../test/support/mosquitto.js";

const COUNT: Record<QoS, number> = { 0: 50_000, 1: 20_000, 2: 10_000 };
const ROUNDS = 3;
const TOPIC = "bench/client";
const payloadOf = (i: number) => `reading ${String(i).padStart(6, "0")} {"value":21.5,"unit":"C"}`;

async function ours(url: string, qos: QoS, n: number, protocolVersion: 4 | 5, maxInflight?: number): Promise<number> {
  const start = performance.now();
  const host = createNodeHost({ log: () => undefined });
  await new Promise<void>((resolve, reject) => {
    let acked = 0;
    const client = new MqttClient(host, {
      url,
      clientId: `bench-ours-${process.pid}`,
      protocolVersion,
      outboxBytes: 8 * 1024 * 1024,
      persist: false,
      maxInflight,
      onError: (error) => reject(new Error(error.message)),
      onConnect: () => {
        const done = (error: unknown) => {
          if (error) reject(new Error(String(error)));
          else if (++acked === n) client.stop(resolve);
        };
        for (let i = 0; i < n; i++) {
          const refused = client.publish(TOPIC, payloadOf(i), { qos }, qos === 0 ? undefined : done);
          if (refused) return reject(new Error(refused.message));
        }
        if (qos === 0) {
          acked = n - 1;
          client.publish(TOPIC, "fence", { qos: 1 }, done);
        }
      },
    });
    client.start();
  });
  return performance.now() - start;
}

async function mqttJs(url: string, qos: QoS, n: number): Promise<number> {
  const start = performance.now();
  const client = mqtt.connect(url, { clientId: `bench-js-${process.pid}`, protocolVersion: 4 });
  await new Promise<void>((resolve, reject) => {
    client.once("error", reject);
    client.once("connect", () => {
      let acked = 0;
      const done = (error?: Error) => {
        if (error) reject(error);
        else if (++acked === n) resolve();
      };
      for (let i = 0; i < n; i++) client.publish(TOPIC, payloadOf(i), { qos }, qos === 0 ? undefined : done);
      if (qos === 0) {
        acked = n - 1;
        client.publish(TOPIC, "fence", { qos: 1 }, done);
      }
    });
  });
  await client.endAsync();
  return performance.now() - start;
}

async function mosquittoPub(port: number, qos: QoS, lines: string, version: "mqttv311" | "mqttv5"): Promise<number> {
  const start = performance.now();
  const args = ["-h", "127.0.0.1", "-p", String(port), "-t", TOPIC, "-q", String(qos), "-l", "-V", version];
  const child = spawn("mosquitto_pub", args, {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", () => reject(new Error("mosquitto_pub not found: install it (apt-get install mosquitto-clients)")));
    child.once("exit", resolve);
  });
  child.stdin.end(lines);
  const code = await exited;
  if (code !== 0) throw new Error(`mosquitto_pub exited with ${code}: ${stderr}`);
  return performance.now() - start;
}

/** CPU time (user + system, ms) this process spent in `run`, beside its wall time. */
async function withCpu(run: () => Promise<number>, cpu: number[]): Promise<number> {
  const before = process.cpuUsage();
  const wall = await run();
  const used = process.cpuUsage(before);
  cpu.push((used.user + used.system) / 1000);
  return wall;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Two brokers: Mosquitto as installed (it announces receive maximum 20 to MQTT 5 clients and
 * silently drops QoS 2 beyond 20 in flight from 3.1.1 ones), and one allowing 1000 in flight,
 * where every client may use the larger window (mosquitto_pub then speaks MQTT 5 to learn it).
 */
async function main(): Promise<void> {
  const setups = [
    { name: "Mosquitto defaults (max_inflight_messages 20)", config: [] as string[], window: undefined, pub: "mqttv311" as const },
    { name: "Mosquitto with max_inflight_messages 1000", config: ["max_inflight_messages 1000"], window: 1000, pub: "mqttv5" as const },
  ];
  for (const setup of setups) {
    const broker = await startMosquitto({ config: setup.config });
    console.log(`\n${setup.name}, 127.0.0.1:${broker.port}: publish throughput, median of ${ROUNDS} runs, connect included`);
    try {
      for (const qos of [0, 1, 2] as const) {
        const n = COUNT[qos];
        const lines = Array.from({ length: n }, (_, i) => payloadOf(i)).join("\n") + "\n";
        const times: Record<string, number[]> = { ours5: [], ours4: [], js: [], pub: [] };
        const cpu: Record<string, number[]> = { ours5: [], js: [] };
        for (let round = 0; round < ROUNDS; round++) {
          // Interleaved, so all see the same machine load.
          times.ours5.push(await withCpu(() => ours(broker.url, qos, n, 5), cpu.ours5));
          times.ours4.push(await ours(broker.url, qos, n, 4, setup.window));
          times.js.push(await withCpu(() => mqttJs(broker.url, qos, n), cpu.js));
          times.pub.push(await mosquittoPub(broker.port, qos, lines, setup.pub));
        }
        const rate = (key: string) => n / (median(times[key]) / 1000);
        const fmt = (key: string) => `${Math.round(rate(key)).toLocaleString("en")}/s`;
        const ratio = (a: string, b: string) => `${(rate(a) / rate(b)).toFixed(2)}x`;
        console.log(
          `QoS ${qos} x ${n}: ours v5 ${fmt("ours5")}, ours 3.1.1 ${fmt("ours4")}, MQTT.js ${fmt("js")}, ` +
            `mosquitto_pub (${setup.pub}) ${fmt("pub")}`,
        );
        console.log(
          `  ours v5 vs mosquitto_pub ${ratio("ours5", "pub")}, vs MQTT.js ${ratio("ours5", "js")}; ` +
            `ours 3.1.1 vs mosquitto_pub ${ratio("ours4", "pub")}, vs MQTT.js ${ratio("ours4", "js")}`,
        );
        // The broker is often the ceiling for both Node clients; CPU per message shows the clients' own cost.
        const perMessage = (key: string) => (median(cpu[key]) * 1000) / n;
        console.log(
          `  client CPU per message: ours v5 ${perMessage("ours5").toFixed(2)} us, MQTT.js ${perMessage("js").toFixed(2)} us ` +
            `(MQTT.js / ours ${(perMessage("js") / perMessage("ours5")).toFixed(2)}x)`,
        );
      }
    } finally {
      await broker.stop();
    }
  }
}

await main();
