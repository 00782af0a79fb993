// The panel page: the board (device side, fed by the simulator over /events) and the page's own
// MQTT client. It connects its client at once and subscribes to the device's prefix, so the topic
// tree shows the device's retained state from the first second.
import type { ToPage } from "../protocol.js";
import { Board } from "./board.js";
import { PageClient } from "./client.js";

let events: WebSocket | undefined;
const send = (message: object): void => {
  if (events?.readyState === WebSocket.OPEN) events.send(JSON.stringify(message));
};
const board = new Board(send);
const note = (line: string): void => board.handle({ type: "log", t: Number.NaN, line });
const client = new PageClient(note, ({ dir, text }) => board.handle({ type: "packet", t: Number.NaN, dir, text: `client ${text}` }));
board.publish = (topic, payload) => client.publish(topic, payload, 1, false);

let subscribed = false;
function open(): void {
  events = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/events`);
  events.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as ToPage;
    board.handle(message);
    if (message.type === "hello" && !subscribed) {
      subscribed = true;
      client.subscribe(`${message.prefix}/#`, 1);
    }
  };
  // The simulator stopped or restarted: try again, as a device would.
  events.onclose = () => setTimeout(open, 1000);
}

client.connect();
open();
