// The page's own MQTT client, for the tutorial's exercises: the firmware's client and codec
// (src/mqtt), on the browser host (hosts/web), over the panel's /mqtt WebSocket. Connect with a
// client id, clean start, keepalive, credentials and a last will; subscribe with wildcards and
// QoS, each subscription listing its messages; publish with QoS and retain; a topic tree.
import type { QoS } from "../../../src/mqtt/codec/index.js";
import { MqttClient } from "../../../src/mqtt/client.js";
import type { Message, MqttError } from "../../../src/mqtt/link.js";
import { createWebHost } from "../../../hosts/web/host.js";
import { networkSwitch, type PacketEvent } from "../../network.js";
import { byId, el, trim } from "./dom.js";
import { TopicTree } from "./tree.js";

const MESSAGES_PER_SUBSCRIPTION = 100;
const text = new TextDecoder();

type Note = (line: string) => void;
type Packets = (event: PacketEvent) => void;

export class PageClient {
  readonly #note: Note;
  readonly #packets: Packets;
  readonly #tree = new TopicTree(byId("tree"));
  #client: MqttClient | undefined;
  readonly #subscriptions = new Map<string, HTMLElement>();

  /** `packets` hears this client's packets both ways, decoded as the device's are. */
  constructor(note: Note, packets: Packets) {
    this.#note = note;
    this.#packets = packets;
    const connect = byId<HTMLFormElement>("connect");
    const field = (name: string) => connect.elements.namedItem(name) as HTMLInputElement;
    field("clientId").value = `panel-${Math.random().toString(16).slice(2, 8)}`;
    // This panel's /mqtt: the device's broker (the embedded one, or bridged to an external one).
    field("url").value = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/mqtt`;
    connect.addEventListener("submit", (event) => {
      event.preventDefault();
      this.connect();
    });
    (connect.elements.namedItem("disconnect") as HTMLButtonElement).addEventListener("click", () => this.disconnect());
    byId<HTMLFormElement>("subscribe").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      this.subscribe((form.elements.namedItem("filter") as HTMLInputElement).value.trim(), Number((form.elements.namedItem("qos") as HTMLSelectElement).value) as QoS);
    });
    byId<HTMLFormElement>("publish").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
      this.publish(value("topic"), value("payload"), Number(value("qos")) as QoS, (form.elements.namedItem("retain") as HTMLInputElement).checked);
    });
  }

  #state(state: "off" | "connecting" | "connected", detail: string = state): void {
    const chip = byId("client-state");
    chip.dataset.state = state;
    chip.textContent = detail;
  }

  /** Connects with the form's settings (a connected client is stopped first). */
  connect(): void {
    this.disconnect();
    const form = byId<HTMLFormElement>("connect");
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const checked = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).checked;
    const willTopic = value("willTopic").trim();
    let client: MqttClient;
    try {
      const host = createWebHost((line) => this.#note(`client: ${line}`));
      // The simulator's packet tap (never switched off here), so the log shows this client's QoS flows too.
      const tap = networkSwitch(host.connect, this.#packets);
      client = new MqttClient({ ...host, connect: tap.connect }, {
        url: value("url").trim(),
        clientId: value("clientId"),
        protocolVersion: Number(value("version")) as 3 | 4 | 5,
        keepalive: Number(value("keepalive")),
        clean: checked("clean"),
        username: value("username") || undefined,
        password: value("password") || undefined,
        will: willTopic === "" ? undefined : { topic: willTopic, payload: value("willPayload"), qos: Number(value("willQos")) as QoS, retain: checked("willRetain") },
        persist: false,
        onConnect: ({ protocolVersion, sessionPresent }) => {
          this.#state("connected", `connected, MQTT ${protocolVersion === 5 ? "5.0" : protocolVersion === 4 ? "3.1.1" : "3.1"}`);
          this.#note(`client: connected${sessionPresent ? " (session present)" : ""}`);
        },
        onDisconnect: (error: MqttError) => {
          if (this.#client === client) this.#state("connecting", "reconnecting");
          this.#note(`client: disconnected: ${error.message}`);
        },
        onError: (error: MqttError) => this.#note(`client: ${error.message}`),
      });
    } catch (error) {
      this.#note(`client: ${(error as Error).message}`);
      return;
    }
    this.#client = client;
    this.#state("connecting");
    client.start();
    // Subscriptions made before survive a reconnect with other settings.
    for (const [filter, box] of this.#subscriptions) this.#subscribeOn(client, filter, Number(box.dataset.qos) as QoS);
  }

  disconnect(): void {
    const client = this.#client;
    if (!client) return;
    this.#client = undefined;
    client.stop(() => this.#note("client: disconnected"));
    this.#state("off");
  }

  subscribe(filter: string, qos: QoS): void {
    const client = this.#client;
    if (!client) return this.#note("client: connect first");
    if (this.#subscriptions.has(filter)) return this.#note(`client: already subscribed to ${filter}`);
    const messages = el("div", { class: "messages mono" });
    const remove = el("button", { type: "button" }, "unsubscribe");
    const box = el("div", { class: "box subscription", "data-filter": filter, "data-qos": String(qos) }, el("b", { class: "mono" }, filter), ` QoS ${qos} `, remove, messages);
    remove.addEventListener("click", () => {
      this.#client?.unsubscribe(filter);
      this.#subscriptions.delete(filter);
      box.remove();
    });
    this.#subscriptions.set(filter, box);
    byId("subscriptions").prepend(box);
    this.#subscribeOn(client, filter, qos);
  }

  #subscribeOn(client: MqttClient, filter: string, qos: QoS): void {
    const box = this.#subscriptions.get(filter) as HTMLElement;
    const messages = box.querySelector(".messages") as HTMLElement;
    const onMessage = (message: Message): void => {
      const payload = text.decode(message.payload);
      this.#tree.set(message.topic, payload, message.retain);
      const flags = `q${message.qos}${message.retain ? " retained" : ""}${message.dup ? " dup" : ""}`;
      messages.prepend(
        el("div", { class: "message", "data-topic": message.topic }, el("span", { class: "muted" }, `${new Date().toLocaleTimeString()} ${flags} `), el("b", {}, message.topic), " ", el("span", { class: "payload" }, payload)),
      );
      trim(messages, MESSAGES_PER_SUBSCRIPTION, true);
    };
    const error = client.subscribe(filter, qos, onMessage, (results) => {
      const refused = results.find((result) => result !== undefined);
      if (refused) this.#note(`client: ${refused.message}`);
    });
    if (error) this.#note(`client: ${error.message}`);
  }

  publish(topic: string, payload: string, qos: QoS, retain: boolean): void {
    const result = byId("publish-result");
    const client = this.#client;
    if (!client) {
      result.textContent = "connect first";
      return;
    }
    result.textContent = "sending…";
    const error = client.publish(topic, payload, { qos, retain }, (failed) => {
      result.textContent = failed ? failed.message : qos === 0 ? "sent (QoS 0: no acknowledgement)" : qos === 1 ? "acknowledged (PUBACK)" : "delivered (PUBREC, PUBREL, PUBCOMP)";
    });
    if (error) result.textContent = error.message;
  }
}
