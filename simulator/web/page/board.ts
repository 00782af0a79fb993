// The device side of the page: the board drawn from the device table (a card per line, showing the
// pins that device opened), the link, the outbox gauge, the health counts and the live log.
import type { DeviceCard, PinView, ToPage } from "../protocol.js";
import { byId, el, seconds, trim } from "./dom.js";

/** How much of an output's history its timeline strip shows. */
const TIMELINE_MS = 4000;
const LOG_LINES = 500;

type Send = (message: object) => void;

interface Output {
  card: HTMLElement;
  canvas: HTMLCanvasElement;
  history: { t: number; value: 0 | 1 }[];
}

export class Board {
  readonly #send: Send;
  /** Device clock at hello, and the page's clock then: the device's now is estimated from both. */
  #origin = 0;
  #helloAt = 0;
  #deviceAtHello = 0;
  #devices: DeviceCard[] = [];
  readonly #outputs = new Map<string, Output>();
  readonly #readings = new Map<string, HTMLElement>();
  #drawn = "";
  /** The device's own publish for a card's example command (set by the page's client). */
  publish: ((topic: string, payload: string) => void) | undefined;

  constructor(send: Send) {
    this.#send = send;
    byId<HTMLInputElement>("network").addEventListener("change", (event) => send({ type: "network", on: (event.target as HTMLInputElement).checked }));
    byId<HTMLInputElement>("broker").addEventListener("change", (event) => send({ type: "broker", up: (event.target as HTMLInputElement).checked }));
    for (const id of ["show-device", "show-packet", "show-client"]) byId(id).addEventListener("change", () => this.#filter());
    const frame = (): void => {
      this.#drawTimelines();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  /** The device clock now, as well as the page can tell. */
  #now(): number {
    return this.#deviceAtHello + (performance.now() - this.#helloAt);
  }

  handle(message: ToPage): void {
    switch (message.type) {
      case "hello":
        this.#origin = message.origin;
        this.#deviceAtHello = message.now;
        this.#helloAt = performance.now();
        this.#devices = message.devices;
        byId("device-id").textContent = message.deviceId;
        byId("engine").textContent = message.engine === "xs" ? "XS engine" : "Node engine";
        byId("broker-url").textContent = `${message.broker}${message.embedded ? " (embedded Aedes)" : ""}`;
        byId("broker-switch").hidden = !message.embedded;
        byId("log").replaceChildren();
        this.#drawn = "";
        return this.#draw(message.pins);
      case "pins":
        return this.#draw(message.pins);
      case "state": {
        byId<HTMLInputElement>("network").checked = message.network;
        if (message.brokerUp !== undefined) byId<HTMLInputElement>("broker").checked = message.brokerUp;
        return this.#link(message.connected ? "online" : "offline");
      }
      case "link":
        this.#link(message.connected ? "online" : "offline");
        return this.#log(message.t, "link", message.connected ? "link connected" : `link disconnected: ${message.reason}`);
      case "pin": {
        const output = this.#outputs.get(message.name);
        if (output) {
          output.card.dataset.value = String(message.value);
          output.history.push({ t: message.t, value: message.value });
          if (output.history.length > 64) output.history.shift();
        }
        return this.#log(message.t, "device", `${message.name.padEnd(8)} ${message.value ? "(*) on" : "( ) off"}`);
      }
      case "input": {
        const card = document.querySelector<HTMLElement>(`[data-testid="pin-${message.name}"]`);
        if (card) card.dataset.value = String(message.value);
        return this.#log(message.t, "device", `${message.name.padEnd(8)} input ${message.value}`);
      }
      case "reading": {
        const shown = this.#readings.get(message.name);
        if (shown) shown.textContent = message.value === undefined ? "unreadable" : `${message.value.toFixed(1)} mV`;
        return;
      }
      case "log":
        return this.#log(message.t, "device", message.line);
      case "packet":
        return this.#log(message.t, message.dir, `${message.dir === "out" ? "→" : "←"} ${message.text}`);
      case "stats":
        return this.#stats(message.stats);
    }
  }

  #link(state: "online" | "offline"): void {
    const link = byId("link");
    link.dataset.state = state;
    link.textContent = state;
  }

  /** Cards for the table's lines, each with the pins its device opened (named as the line). */
  #draw(pins: PinView[]): void {
    const key = JSON.stringify(pins.map((pin) => [pin.name, pin.kind]));
    if (key === this.#drawn) {
      for (const pin of pins) this.#update(pin);
      return;
    }
    this.#drawn = key;
    this.#outputs.clear();
    this.#readings.clear();
    const board = byId("board");
    board.replaceChildren(
      ...this.#devices.map((device) => {
        const own = pins.filter((pin) => pin.name === device.name);
        const title = el("div", { class: "title" }, el("b", {}, device.name), el("span", { class: "muted mono" }, own.map((pin) => `GPIO ${pin.pin}`).join(" ")));
        const card = el("div", { class: "card", "data-testid": `card-${device.name}` }, title, el("div", { class: "topic mono" }, device.topic));
        for (const pin of own) card.append(this.#pin(pin));
        if (device.example !== undefined) {
          const example = device.example;
          const button = el("button", { type: "button", "data-testid": `send-${device.name}` }, `publish "${example}"`);
          button.addEventListener("click", () => this.publish?.(device.topic, example));
          card.append(button);
        }
        return card;
      }),
    );
  }

  #pin(pin: PinView): HTMLElement {
    const box = el("div", { class: "pin", "data-testid": `pin-${pin.name}`, "data-kind": pin.kind });
    if (pin.kind === "output") {
      box.dataset.value = String(pin.value);
      const canvas = el("canvas", { class: "timeline", width: "240", height: "22", title: `the last ${TIMELINE_MS / 1000} s` });
      box.append(el("div", { class: "led" }), canvas);
      this.#outputs.set(pin.name, { card: box, canvas, history: pin.history.slice() });
    } else if (pin.kind === "input") {
      box.dataset.value = String(pin.value);
      // Held while the pointer is down: a long press is a long hold, a double press two clicks.
      const button = el("button", { type: "button", "data-testid": `press-${pin.name}` }, "press");
      const drive = (pressed: boolean): void => this.#send({ type: "input", name: pin.name, value: pressed ? 1 - pin.resting : pin.resting });
      button.addEventListener("pointerdown", () => drive(true));
      button.addEventListener("pointerup", () => drive(false));
      button.addEventListener("pointerleave", (event) => event.buttons && drive(false));
      box.append(el("div", { class: "muted" }, `rests ${pin.resting ? "high (pull-up)" : "low"}`), button);
    } else {
      const value = el("div", { class: "mono", "data-testid": `reading-${pin.name}` }, "–");
      const slider = el("input", { type: "range", min: "100", max: "1750", step: "1", value: "710", "data-testid": `slider-${pin.name}` });
      const auto = el("input", { type: "checkbox", checked: "", "data-testid": `auto-${pin.name}` });
      slider.addEventListener("input", () => {
        auto.checked = false;
        this.#send({ type: "input", name: pin.name, value: Number(slider.value) });
      });
      auto.addEventListener("change", () => this.#send({ type: "input", name: pin.name, value: auto.checked ? null : Number(slider.value) }));
      this.#readings.set(pin.name, value);
      box.append(value, slider, el("label", { class: "muted" }, auto, " auto (drift)"));
    }
    return box;
  }

  #update(pin: PinView): void {
    if (pin.kind === "analog") return;
    const box = document.querySelector<HTMLElement>(`[data-testid="pin-${pin.name}"]`);
    if (box) box.dataset.value = String(pin.value);
  }

  /** Each output's levels over the last seconds: a bell's pattern shows as its pulses. */
  #drawTimelines(): void {
    const now = this.#now();
    for (const { canvas, history, card } of this.#outputs.values()) {
      const g = canvas.getContext("2d");
      if (!g) continue;
      const { width, height } = canvas;
      g.clearRect(0, 0, width, height);
      g.fillStyle = "#ffc83d";
      const x = (t: number): number => width - ((now - t) / TIMELINE_MS) * width;
      let level = card.dataset.value === "1" ? 1 : 0;
      let end = now;
      for (let i = history.length - 1; i >= 0 && end > now - TIMELINE_MS; i--) {
        const change = history[i];
        if (level === 1) g.fillRect(x(change.t), 3, x(end) - x(change.t), height - 6);
        end = change.t;
        level = change.value === 1 ? 0 : 1;
      }
      if (level === 1 && end > now - TIMELINE_MS) g.fillRect(0, 3, x(end), height - 6);
    }
  }

  #stats(stats: Record<string, number | boolean | string>): void {
    const n = (name: string): number => Number(stats[name] ?? 0);
    byId("reconnects").textContent = String(n("reconnects"));
    const share = n("budget") > 0 ? n("bytes") / n("budget") : 0;
    const bar = byId("outbox-bar");
    bar.style.width = `${Math.min(100, share * 100).toFixed(1)}%`;
    bar.classList.toggle("full", share > 0.9 || n("dropsFull") > 0);
    byId("outbox-text").textContent =
      `${n("messages")} messages, ${n("bytes")} of ${n("budget")} bytes (${Math.round(share * 100)} %), ${n("inflight")} in flight, ${n("drops")} dropped`;
    const rows: [string, string][] = [
      ["broker", String(stats["broker"] ?? "")],
      ["MQTT version", n("protocolVersion") === 5 ? "5.0" : n("protocolVersion") === 3 ? "3.1" : "3.1.1"],
      ["connects", String(n("connects"))],
      ["failed connects", String(n("failedConnects"))],
      ["published", String(n("published"))],
      ["received", String(n("received"))],
      ["coalesced", String(n("coalesced"))],
      ["drops: outbox full", String(n("dropsFull"))],
      ["drops: too large", String(n("dropsTooLarge"))],
      ["drops: refused", String(n("dropsRefused"))],
      ["skipped (too large in)", String(n("skipped"))],
    ];
    byId("health").replaceChildren(...rows.map(([name, value]) => el("tr", {}, el("td", {}, name), el("td", { "data-testid": `health-${name}` }, value))));
  }

  #log(t: number, kind: "device" | "link" | "in" | "out", text: string): void {
    const log = byId("log");
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    // The page's own lines have no device time: its client's notes and packets.
    const page = Number.isNaN(t);
    const when = page ? "     page" : seconds(t - this.#origin);
    const filter = page ? "client" : kind === "in" || kind === "out" ? "packet" : "device";
    const line = el("div", { class: kind, "data-kind": filter }, el("span", { class: "t" }, when), "  ", text);
    line.hidden = !this.#shown(filter);
    log.append(line);
    trim(log, LOG_LINES);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  #shown(filter: string): boolean {
    return byId<HTMLInputElement>(`show-${filter}`).checked;
  }

  #filter(): void {
    for (const line of byId("log").children) (line as HTMLElement).hidden = !this.#shown((line as HTMLElement).dataset.kind ?? "device");
  }
}
