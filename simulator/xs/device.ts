// XS side of the device process: the same src/ as on every board, started on the remote host
// (remote-host.ts). The bundle of this file is what xsnap evaluates; board.ts drives it.
import start from "../../src/app.js";
import { parseConfig } from "../../src/config.js";
import { call, serve } from "./channel.js";
import { FrameReader, ToBoard, ToXs, frame } from "./protocol.js";
import { createRemoteHost, type RemoteHost } from "./remote-host.js";

type App = ReturnType<typeof start>;

let remote: RemoteHost | undefined;
let app: App | undefined;
let connected = false;

const emit = (event: object): void => void call(frame(ToBoard.event, new TextEncoder().encode(JSON.stringify(event))));

function running(): App {
  if (!app) throw new Error("the app is not started");
  return app;
}

// After every crank: tell the board when the link came up or went down.
function report(): void {
  if (!app || app.client.connected === connected) return;
  connected = app.client.connected;
  emit(connected ? { type: "connected" } : { type: "disconnected", reason: remote?.lastError ?? "" });
}

function startApp(reader: FrameReader): Uint8Array | undefined {
  const parsed = parseConfig(JSON.parse(reader.text()) as Record<string, unknown>);
  if (!parsed.ok) return new TextEncoder().encode(JSON.stringify(parsed.errors));
  if (!remote) throw new Error("the host must be made before the app starts");
  app = start(remote.host, parsed.config);
  emit({ type: "ready" });
  return undefined;
}

// A burst of publishes from the running client, for the budgets and the bench: no closure, no
// promise per message. Replies how many the client accepted and refused.
function publishBurst(reader: FrameReader): Uint8Array {
  const count = reader.u32();
  const qos = reader.u32() === 1 ? 1 : 0;
  const client = running().client;
  let refused = 0;
  for (let i = 0; i < count; i++) if (client.publish("bench/xs", "21.5", { qos })) refused++;
  return new TextEncoder().encode(JSON.stringify({ accepted: count - refused, refused }));
}

serve((request) => {
  const reader = new FrameReader(request);
  let reply: Uint8Array | undefined;
  if (remote?.receive(reader)) reply = undefined;
  else if (reader.op === ToXs.host) remote = createRemoteHost();
  else if (reader.op === ToXs.start) reply = startApp(reader);
  else if (reader.op === ToXs.stop) running().stop(() => void call(frame(ToBoard.stopped)));
  else if (reader.op === ToXs.publish) reply = publishBurst(reader);
  else if (reader.op === ToXs.networkUp) running().client.reconnectNow();
  else if (reader.op === ToXs.stats) reply = new TextEncoder().encode(JSON.stringify(running().client.stats()));
  else throw new Error(`unknown op ${reader.op} from the board`);
  report();
  return reply;
});
