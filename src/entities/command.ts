// Reads a command payload the same way for every entity: bounded size, UTF-8, either a word or a
// JSON object, and fresh. Refusals are reported through the context and the caller gets undefined.
import { decodeUtf8 } from "../utf8.js";
import type { Message } from "../mqtt/link.js";
import type { EntityContext } from "./entity.js";

export const MAX_COMMAND_BYTES = 256;
/** Deepest JSON nesting a command may have: parsing recurses, and a board's XS stack is small. */
export const MAX_COMMAND_DEPTH = 8;

export type JsonObject = { readonly [key: string]: unknown };

export interface Command {
  /** The payload, trimmed; for JSON the whole text. */
  text: string;
  /** The parsed object when the payload is JSON (starts with "{"), else undefined. */
  json: JsonObject | undefined;
}

/**
 * Freshness: a JSON "ts" field (ms since the epoch) older than commandMaxAge is refused as stale.
 * MQTT 5 message expiry is enforced by the broker, which drops expired messages and forwards the
 * remaining lifetime; a command that arrives with no lifetime left is refused as expired. When the
 * host has no wall-clock time yet, "ts" cannot be judged and is accepted.
 */
export function readCommand(message: Message, context: EntityContext, maxBytes = MAX_COMMAND_BYTES): Command | undefined {
  const { payload } = message;
  if (payload.length > maxBytes) return refuse(context, message, `too long: ${payload.length} bytes; at most ${maxBytes}.`);
  const raw = decodeUtf8(payload);
  if (raw === undefined) return refuse(context, message, "not valid UTF-8 text.");
  const text = raw.trim();
  if (text === "") return refuse(context, message, "empty command.");
  if (message.properties?.messageExpiryInterval === 0) return refuse(context, message, "expired: its message expiry ran out.");
  if (text[0] !== "{") return { text, json: undefined };
  if (nesting(text) > MAX_COMMAND_DEPTH) return refuse(context, message, `JSON nested deeper than ${MAX_COMMAND_DEPTH} levels.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse(context, message, "not valid JSON.");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    return refuse(context, message, "JSON command must be an object.");
  const object = json as JsonObject;
  if (Object.prototype.hasOwnProperty.call(object, "ts")) {
    const ts = object["ts"];
    if (typeof ts !== "number" || !Number.isFinite(ts)) return refuse(context, message, "ts must be a number of ms since the epoch.");
    const now = context.host.clock.epoch();
    const maxAge = context.config.commandMaxAge;
    if (now !== undefined && now - ts > maxAge)
      return refuse(context, message, `stale: sent ${Math.round((now - ts) / 1000)} s ago; commands older than ${maxAge / 1000} s are refused.`);
  }
  return { text, json: object };
}

/** How deep objects and arrays nest in JSON text (brackets inside strings do not count). */
function nesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) {
      quoted = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

function refuse(context: EntityContext, message: Message, reason: string): undefined {
  context.refuse(message.topic, message.payload, reason);
  return undefined;
}

const SWITCH_ACTIONS: readonly string[] = Object.freeze(["on", "off", "toggle"]);

/** `on`, `off` or `toggle`, as a word or `{"state":"ON"|"OFF"|"TOGGLE"}`; undefined for anything else. */
export function switchAction(command: Command): "on" | "off" | "toggle" | undefined {
  const word = command.json ? command.json["state"] : command.text;
  const action = typeof word === "string" ? word.toLowerCase() : undefined;
  return action !== undefined && SWITCH_ACTIONS.includes(action) ? (action as "on" | "off" | "toggle") : undefined;
}

/** Why a switch command was refused, for the error topic. */
export function switchRefusal(command: Command): string {
  return command.json ? 'expected {"state":"ON"}, {"state":"OFF"} or {"state":"TOGGLE"}.' : "expected on, off, toggle or a JSON object.";
}
