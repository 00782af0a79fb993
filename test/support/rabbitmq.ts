// A real RabbitMQ cluster for tests: three nodes (by default) on loopback with the rabbitmq_mqtt
// plugin, each with its own node name, ports, temp directories and config, one epmd on its own
// port and one Erlang cookie, joined by `rabbitmqctl join_cluster`. Nodes can be killed (SIGKILL).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { accepts, dirWith } from "./local.js";

/**
 * A free loopback port below the kernel's ephemeral range (32768 and up on Linux). A node gives its
 * ports up while it stops, joins and restarts; a port picked by listen(0) is in the ephemeral range,
 * where another test's connection or listener can take it in that gap (seen: eaddrinuse on start_app).
 */
const taken = new Set<number>();
async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error("no free loopback port between 20000 and 32000");
}

export interface RabbitNode {
  /** Erlang node name, rmqN-<pid>@localhost. */
  name: string;
  mqttPort: number;
  /** mqtt://127.0.0.1:PORT */
  url: string;
  amqpPort: number;
  distPort: number;
  dir: string;
}

export interface RabbitCluster {
  nodes: RabbitNode[];
  /** The nodes' MQTT URLs, in order. */
  urls: string[];
  /** How long starting the nodes and joining them took, ms. */
  bootMs: number;
  /** When each step of the boot was done, e.g. "3 nodes up 15000 ms, node 2 joined 22000 ms, ...". */
  bootPhases: string;
  /** SIGKILL of node i's Erlang VM (and its process group): a crash. */
  kill(i: number): Promise<void>;
  /** Whether node i's VM still runs. */
  alive(i: number): boolean;
  /**
   * Starts node i again (killing it first if it runs) on its ports with its data directory, so it
   * comes back as a member; resolves, with the time it took, once it accepts MQTT and every node
   * runs in the cluster again. Bounded by `timeoutMs` (60 s by default).
   */
  restart(i: number, timeoutMs?: number): Promise<number>;
  /** The tail of node i's log file (the last `bytes`, 8 KB by default). */
  log(i: number, bytes?: number): string;
  /** `rabbitmqctl cluster_status` as seen from node i. */
  status(i: number): Promise<string>;
  /** Kills every node and epmd, removes the directories. */
  stop(): Promise<void>;
}

export interface RabbitOptions {
  size?: number;
  /** Bound for the whole boot (start, join, MQTT ports accepting), ms. */
  timeoutMs?: number;
  /**
   * Mirror the MQTT plugin's queues on every node (a classic mirrored queue policy on
   * `^mqtt-subscription-`), on by default. RabbitMQ 3.10 makes a QoS 1 subscription's queue a
   * durable classic queue on the node the client is on, even with a clean session; when that node
   * dies the queue's record stays, and the client's reconnect to another node fails: declaring the
   * queue answers 404 "home node ... is down" and the node closes the connection, until the dead
   * node is back. Mirrored, a survivor takes the queue over.
   */
  mirror?: boolean;
}

const INSTALL = "rabbitmq-server not found: install it (apt-get install rabbitmq-server), which brings the rabbitmq_mqtt plugin";

/**
 * The directory holding rabbitmq-server and rabbitmqctl: $RABBITMQ_BIN, else Debian's
 * /usr/lib/rabbitmq/bin (its /usr/sbin entries are a wrapper that switches to the user rabbitmq,
 * who cannot use our temp directories), else PATH.
 */
export function findRabbitmq(env: NodeJS.ProcessEnv = process.env, system = ["/usr/lib/rabbitmq/bin"]): string {
  const dir = dirWith([env.RABBITMQ_BIN, ...system, ...(env.PATH ?? "").split(delimiter)], "rabbitmq-server", "rabbitmqctl");
  if (dir === undefined) throw new Error(INSTALL);
  return dir;
}

/** epmd's path: next to erl on PATH, else Debian's. */
function findEpmd(env: NodeJS.ProcessEnv = process.env): string {
  const dir = dirWith([...(env.PATH ?? "").split(delimiter), "/usr/bin"], "epmd");
  if (dir === undefined) throw new Error(`epmd not found (it comes with erlang-base): ${INSTALL}`);
  return join(dir, "epmd");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Process groups still running when the test process ends are killed, so a failed test leaks none.
const groups = new Set<number>();
const dirs = new Set<string>();
let cleanupInstalled = false;
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once("exit", () => {
    for (const pgid of groups) killGroup(pgid);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // gone already
  }
}

function exitedPromise(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startRabbitCluster(options: RabbitOptions = {}): Promise<RabbitCluster> {
  const bin = findRabbitmq();
  const epmdPath = findEpmd();
  installCleanup();
  const size = options.size ?? 3;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const started = Date.now();
  const root = mkdtempSync(join(tmpdir(), "rabbitmq-"));
  dirs.add(root);
  // The server and rabbitmqctl both read $HOME/.erlang.cookie; it must be private to its owner.
  writeFileSync(join(root, ".erlang.cookie"), `cookie${process.pid}${Date.now()}`, { mode: 0o400 });
  const epmdPort = await freePort();
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, HOME: root, ERL_EPMD_PORT: String(epmdPort), ERL_EPMD_ADDRESS: "127.0.0.1", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };

  const children: ChildProcess[] = [];
  const outputs: string[] = [];
  const track = (child: ChildProcess, index: number): void => {
    children[index] = child;
    if (child.pid) groups.add(child.pid);
    outputs[index] = "";
    const keep = (data: Buffer) => (outputs[index] = (outputs[index] + data.toString()).slice(-4000));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", () => {
      if (child.pid) {
        // Its helpers (erl_child_setup, inet_gethost) share the group: take them too.
        killGroup(child.pid);
        groups.delete(child.pid);
      }
    });
  };

  // Our own epmd in the foreground, so it is ours to stop; the nodes find it by ERL_EPMD_PORT.
  const epmd = spawn(epmdPath, ["-port", String(epmdPort)], { env: baseEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  track(epmd, size);
  for (;;) {
    if (await accepts(epmdPort)) break;
    if (epmd.exitCode !== null || Date.now() > deadline) throw new Error(`epmd did not listen on ${epmdPort}: ${outputs[size]}`);
    await sleep(20);
  }

  const nodes: RabbitNode[] = [];
  const envs: NodeJS.ProcessEnv[] = [];
  for (let i = 0; i < size; i++) {
    const dir = join(root, `node${i + 1}`);
    mkdirSync(dir);
    const [amqpPort, distPort, mqttPort] = [await freePort(), await freePort(), await freePort()];
    const name = `rmq${i + 1}-${process.pid}@localhost`;
    writeFileSync(
      join(dir, "rabbitmq.conf"),
      [
        `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
        `mqtt.listeners.tcp.default = 127.0.0.1:${mqttPort}`,
        "mqtt.allow_anonymous = true",
        // guest may then connect from anywhere; every listener here is on loopback anyway.
        "loopback_users = none",
        "log.console = false",
        "log.file.level = info",
        "",
      ].join("\n"),
    );
    // Only MQTT: no management plugin, no extra ports.
    writeFileSync(join(dir, "enabled_plugins"), "[rabbitmq_mqtt].\n");
    // An empty env file, so the system's /etc/rabbitmq/rabbitmq-env.conf is not read.
    writeFileSync(join(dir, "rabbitmq-env.conf"), "");
    envs.push({
      ...baseEnv,
      RABBITMQ_NODENAME: name,
      RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
      RABBITMQ_NODE_PORT: String(amqpPort),
      RABBITMQ_DIST_PORT: String(distPort),
      // Erlang distribution listens on every interface unless told otherwise.
      // No busy-waiting schedulers: three VMs share the machine with the devices and the test.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none",
      RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
      RABBITMQ_LOG_BASE: join(dir, "log"),
      RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, "advanced.config"),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
      RABBITMQ_CONF_ENV_FILE: join(dir, "rabbitmq-env.conf"),
      RABBITMQ_PID_FILE: join(dir, "beam.pid"),
    });
    nodes.push({ name, mqttPort, url: `mqtt://127.0.0.1:${mqttPort}`, amqpPort, distPort, dir });
  }

  /** rabbitmqctl against node i, bounded by `timeoutMs` and by `until` (the boot's deadline while booting). */
  const ctl = (i: number, args: string[], timeoutMs = 30_000, until = deadline): Promise<string> =>
    new Promise((resolve, reject) => {
      const left = Math.max(1000, Math.min(timeoutMs, until - Date.now()));
      // SIGKILL on timeout: the Erlang VM answers SIGTERM with a clean stop and exit code 0, which
      // would pass for success with nothing on stdout.
      const options = { env: envs[i], cwd: nodes[i].dir, timeout: left, killSignal: "SIGKILL" as const };
      execFile(join(bin, "rabbitmqctl"), ["-n", nodes[i].name, ...args], options, (error, stdout, stderr) => {
        if (error) {
          const why = error.killed ? `timed out after ${left} ms` : error.message;
          reject(new Error(`rabbitmqctl -n ${nodes[i].name} ${args.join(" ")} failed: ${why}\n${stdout}${stderr}`));
        } else resolve(stdout);
      });
    });

  const logTail = (i: number, bytes = 8000): string => {
    try {
      return readFileSync(join(nodes[i].dir, "log", `${nodes[i].name}.log`), "utf8").slice(-bytes);
    } catch {
      return "(no log)";
    }
  };

  const failure = (i: number, what: string): Error => {
    const log = logTail(i, 3000);
    return new Error(`RabbitMQ node ${nodes[i].name} ${what}\n output: ${outputs[i].trim()}\n log: ${log.trim()}`);
  };

  const waitMqtt = async (i: number, until = deadline): Promise<void> => {
    for (;;) {
      const child = children[i];
      if (child.exitCode !== null || child.signalCode !== null) throw failure(i, `exited with ${child.signalCode ?? child.exitCode}`);
      if (await accepts(nodes[i].mqttPort)) return;
      if (Date.now() > until) throw failure(i, `did not accept MQTT on ${nodes[i].mqttPort} in time`);
      await sleep(50);
    }
  };

  const beamPid = (i: number): number | undefined => {
    try {
      const pid = Number(readFileSync(join(nodes[i].dir, "beam.pid"), "utf8").trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  // Each node in its own process group (detached), so a kill takes the VM and its helpers at once.
  const launch = (i: number): void => {
    // A stale pid file would name a process that may be someone else's by now.
    rmSync(join(nodes[i].dir, "beam.pid"), { force: true });
    const child = spawn(join(bin, "rabbitmq-server"), [], { env: envs[i], cwd: nodes[i].dir, stdio: ["ignore", "pipe", "pipe"], detached: true });
    track(child, i);
  };

  /** Every node in `cluster_status` as seen from node i, bounded by `until`. */
  const clustered = async (i: number, until: number): Promise<void> => {
    let status = "";
    for (;;) {
      status = await ctl(i, ["cluster_status", "--formatter", "json"], 30_000, until);
      let running: string[] | undefined;
      try {
        running = (JSON.parse(status) as { running_nodes?: string[] }).running_nodes ?? [];
      } catch {
        // not JSON: said below if it lasts
      }
      if (running && nodes.every((node) => running.includes(node.name))) return;
      if (Date.now() > until) throw new Error(`not every node is running in the cluster as ${nodes[i].name} sees it: ${status.slice(0, 1000)}`);
      await sleep(250);
    }
  };

  const killNode = async (i: number): Promise<void> => {
    const child = children[i];
    const pid = beamPid(i);
    if (pid) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    if (child.pid) killGroup(child.pid);
    await exitedPromise(child);
  };

  const stop = async (): Promise<void> => {
    for (const child of children) if (child?.pid) killGroup(child.pid);
    await Promise.all(children.filter(Boolean).map(exitedPromise));
    rmSync(root, { recursive: true, force: true });
    dirs.delete(root);
  };

  const phases: string[] = [];
  try {
    for (let i = 0; i < size; i++) launch(i);
    await Promise.all(nodes.map((_, i) => waitMqtt(i)));
    phases.push(`${size} nodes up ${Date.now() - started} ms`);
    // The others join the first: stopped together, joined one after the other (concurrent joins
    // race in Mnesia), started together (each start waits some 5 s for its MQTT plugin's Raft
    // cluster to form).
    const others = nodes.map((_, i) => i).slice(1);
    await Promise.all(others.map((i) => ctl(i, ["stop_app"])));
    for (const i of others) await ctl(i, ["join_cluster", nodes[0].name]);
    phases.push(`${others.length} joined ${Date.now() - started} ms`);
    await Promise.all(others.map((i) => ctl(i, ["start_app"])));
    await Promise.all(others.map((i) => waitMqtt(i)));
    phases.push(`restarted ${Date.now() - started} ms`);
    if (options.mirror ?? true) {
      await ctl(0, ["set_policy", "--apply-to", "queues", "mqtt-mirrored", "^mqtt-subscription-", JSON.stringify({ "ha-mode": "all", "ha-sync-mode": "automatic" })]);
    }
    await clustered(0, deadline);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes,
    urls: nodes.map((n) => n.url),
    bootMs: Date.now() - started,
    bootPhases: phases.join(", "),
    kill: killNode,
    alive: (i) => children[i].exitCode === null && children[i].signalCode === null,
    async restart(i, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      const t0 = Date.now();
      if (children[i].exitCode === null && children[i].signalCode === null) await killNode(i);
      launch(i);
      await waitMqtt(i, until);
      await clustered(i, until);
      return Date.now() - t0;
    },
    log: logTail,
    status: (i) => ctl(i, ["cluster_status"], 30_000, Date.now() + 30_000),
    stop,
  };
}
