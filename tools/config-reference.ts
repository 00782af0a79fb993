// The README's configuration reference, made from FIELDS (src/config.ts): every key, its default,
// the values it takes and what it means. `npm run docs:config` writes it between the README's
// markers; test/docs/readme.test.ts keeps the two equal.
import type { Field } from "../src/fields.js";

export const BEGIN = "<!-- config reference: generated from FIELDS by `npm run docs:config` -->";
export const END = "<!-- end of config reference -->";

function values(field: Field): string {
  switch (field.kind) {
    case "boolean":
      return "`true`, `false`";
    case "string":
      return field.rule ?? "text";
    default:
      return `${field.kind === "integer" ? "integer" : "number"} ${field.min} to ${field.max}`;
  }
}

function shown(field: Field): string {
  if (field.kind === "string" && field.default === "") return "(empty)";
  return `\`${String(field.default)}\``;
}

/** The reference as a Markdown table; live keys are marked. */
export function configReference(fields: Readonly<Record<string, Field>>): string {
  const rows = Object.entries(fields).map(([key, field]) => `| \`${key}\` | ${shown(field)} | ${values(field)} | ${field.doc}${field.live ? " (live)" : ""} |`);
  return ["| key | default | values | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** `readme` with the text between the markers replaced by `table`; throws when a marker is missing. */
export function withReference(readme: string, table: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md needs the markers ${BEGIN} and ${END}`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}
