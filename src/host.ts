// The ports: everything src/ needs from a runtime, as small ECMA-419-flavoured interfaces.
// Hosts (hosts/node, hosts/moddable, the XS runner in simulator/) implement them; src/ never
// reaches a runtime any other way. Ports carry no policy: retry, backoff and buffering live in src/.

/** Milliseconds. */
export interface Clock {
  /** Monotonic time in ms from an arbitrary origin: drives keepalive, backoff and bell timing. */
  now(): number;
  /** Wall-clock time in ms since the Unix epoch, or undefined while the host does not know it. */
  epoch(): number | undefined;
}

/** Whatever the host's timer API returns (a number on Moddable, an object on Node). */
export type TimerHandle = unknown;

export interface Timers {
  /** Calls `callback` once after `ms` milliseconds. */
  set(callback: () => void, ms: number): TimerHandle;
  clear(handle: TimerHandle): void;
}

/**
 * TLS for one connection. Certificates and keys are named, and each host finds them its own way:
 * PEM text or a file path on Node, a DER resource in the Moddable build (`ca.der`).
 */
export interface TlsOptions {
  /** CA certificate(s) the server's chain must lead to; absent: the host's own trust store. */
  ca?: string;
  /** Client certificate, for brokers that ask for one (mutual TLS); goes with `key`. */
  cert?: string;
  /** The client certificate's private key. */
  key?: string;
  /** ALPN protocol names offered, in order (AWS IoT on port 443: `x-amzn-mqtt-ca`). */
  alpn?: readonly string[];
  /** Oldest TLS version accepted: "1.2" (the default) or "1.3". */
  minVersion?: "1.2" | "1.3";
}

/**
 * A connection's options and its callbacks. The host calls the callbacks as methods of this very
 * object (`options.onReadable()`), never detached, so a caller may make them methods of a class.
 */
export interface TransportOptions {
  host: string;
  port: number;
  /** TLS when true (mqtts://, wss://). */
  secure: boolean;
  /** MQTT over WebSocket at this HTTP path (ws://, wss://); absent or undefined: MQTT over TCP. */
  path?: string;
  /** With `secure`: what to trust and what to show. Absent: the host's default trust, no client certificate. */
  tls?: TlsOptions;
  /** The connection is open; `write` may be called. */
  onConnect(): void;
  /** Bytes are waiting; call `read` until it returns undefined. */
  onReadable(): void;
  /** A `write` that returned false has drained. */
  onWritable(): void;
  /** The connection failed or ended (remote close included). The transport is closed after this. */
  onError(reason: string): void;
}

export interface Transport {
  /** The next chunk of received bytes, or undefined when none is buffered. */
  read(): Uint8Array | undefined;
  /**
   * Queues bytes for sending; the transport may keep a reference until they are written, so the
   * caller must not change them afterwards. Returns false when the caller should wait for onWritable.
   */
  write(bytes: Uint8Array): boolean;
  /** Closes the connection; no callback follows. */
  close(): void;
}

export type Connect = (options: TransportOptions) => Transport;

/**
 * Small persistent key/value storage (Moddable preferences or flash files, a directory on Node).
 * Keys are ASCII, at most 15 characters (ESP32 NVS). Values are bytes.
 */
export interface Store {
  read(key: string): Uint8Array | undefined;
  /** Returns false when the value could not be stored (full, failing medium). */
  write(key: string, value: Uint8Array): boolean;
  delete(key: string): void;
  /** Every key currently stored. */
  keys(): string[];
}

/** A digital output (ECMA-419 Digital, output mode): 1 drives it high. */
export interface DigitalOutput {
  write(value: number): void;
}

/** A digital input (ECMA-419 Digital, input mode): its level now. */
export interface DigitalInput {
  read(): number;
}

/**
 * How an input is opened. The host calls `onChange` as a method of this object, on every edge as
 * it happens: raw, since debouncing is a policy and belongs to the device.
 */
export interface InputOptions {
  /** An internal pull-up (a button to ground) or pull-down; none when absent. */
  readonly pull?: "up" | "down";
  onChange(value: number): void;
}

/** An analog input (ECMA-419 Analog): the voltage, scaled by the host from its ADC. */
export interface AnalogInput {
  /** Millivolts, or undefined when the input cannot be read. */
  read(): number | undefined;
}

/**
 * The board's pins, by kind, each opened with the name of what it is for (the host traces it and
 * the simulator shows it) and a pin number from config. The host never names a device.
 */
export interface Pins {
  output(name: string, pin: number): DigitalOutput;
  input(name: string, pin: number, options: InputOptions): DigitalInput;
  analog(name: string, pin: number): AnalogInput;
}

export interface Host {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly connect: Connect;
  readonly store: Store;
  readonly pins: Pins;
  /** A uniform random number in [0, 1): reconnect jitter, client ids. */
  random(): number;
  /** One line of diagnostics (Moddable `trace`, console on Node). */
  log(line: string): void;
  /** Free heap bytes where the host can tell. */
  freeMemory?(): number | undefined;
}
