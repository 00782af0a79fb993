// Aedes on a free loopback port, in its own process: Aedes is ESM-only and jest (on Node 20) cannot
// load it. Prints {"port":N} once listening; exits when its stdin closes, so it never outlives its parent.
import net from "node:net";
import { Aedes } from "aedes";

const broker = await Aedes.createBroker();
const server = net.createServer(broker.handle);
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
process.stdin.resume();
process.stdin.on("end", () => {
  server.close();
  broker.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
