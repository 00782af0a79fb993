// Topic names and filters (MQTT 3.1.1 §4.7, 5.0 §4.7): validation and matching with + and #.
import { utf8Length } from "../utf8.js";

/** Longest topic or filter the wire can carry (a 16-bit length prefix of UTF-8 bytes). */
const MAX_LENGTH = 65535;

/** Why `topic` is not a valid topic name to publish to, or undefined when it is. */
export function topicProblem(topic: string): string | undefined {
  if (topic.length === 0) return "the topic is empty";
  if (topic.length > MAX_LENGTH / 3 && utf8Length(topic) > MAX_LENGTH) return "the topic is longer than 65535 bytes";
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x2b || c === 0x23) return `the topic "${topic}" contains a wildcard (+ or #)`;
    if (c === 0) return "the topic contains a NUL character";
  }
  return undefined;
}

/** Why `filter` is not a valid subscription filter, or undefined when it is. */
export function filterProblem(filter: string): string | undefined {
  if (filter.length === 0) return "the filter is empty";
  if (filter.length > MAX_LENGTH / 3 && utf8Length(filter) > MAX_LENGTH) return "the filter is longer than 65535 bytes";
  let levelStart = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter.charCodeAt(i);
    if (c === 0) return "the filter contains a NUL character";
    if (c === 0x2f) {
      levelStart = i + 1;
    } else if (c === 0x2b) {
      // '+' must fill a whole level.
      const next = filter.charCodeAt(i + 1);
      if (i !== levelStart || (i + 1 < filter.length && next !== 0x2f)) {
        return `in "${filter}", + must stand alone in its level`;
      }
    } else if (c === 0x23) {
      if (i !== levelStart || i !== filter.length - 1) return `in "${filter}", # must be the last level, alone`;
    }
  }
  return undefined;
}

/**
 * Whether `topic` matches `filter` (both assumed valid). Topics starting with $ are not matched
 * by a filter whose first level is a wildcard (§4.7.2).
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.charCodeAt(0) === 0x24 && (filter.charCodeAt(0) === 0x2b || filter.charCodeAt(0) === 0x23)) {
    return false;
  }
  let f = 0;
  let t = 0;
  const fl = filter.length;
  const tl = topic.length;
  while (f < fl) {
    const c = filter.charCodeAt(f);
    if (c === 0x23) return true; // '#' matches the parent level and everything below it
    if (c === 0x2b) {
      // Skip one topic level (possibly empty).
      while (t < tl && topic.charCodeAt(t) !== 0x2f) t++;
      f++;
    } else {
      // Compare one literal level.
      while (f < fl && filter.charCodeAt(f) !== 0x2f) {
        if (t >= tl || topic.charCodeAt(t) !== filter.charCodeAt(f)) return false;
        f++;
        t++;
      }
      if (t < tl && topic.charCodeAt(t) !== 0x2f) return false;
    }
    // Both at a level end: either a separator or the end of the string.
    if (f >= fl) return t >= tl;
    // filter has a '/' at f
    if (t >= tl) {
      // "a/#" matches "a": the rest of the filter must be exactly "/#".
      return f + 2 === fl && filter.charCodeAt(f + 1) === 0x23;
    }
    f++;
    t++;
  }
  return t >= tl;
}
