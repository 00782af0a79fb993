// The README's configuration reference is FIELDS as tools/config-reference.ts writes it: a key
// added, renamed or re-documented without `npm run docs:config` fails here.
import { readFileSync } from "node:fs";
import { FIELDS } from "../../src/config.js";
import { BEGIN, configReference, END, withReference } from "../../tools/config-reference.js";

describe("README.md", () => {
  const readme = readFileSync("README.md", "utf8");

  test("its configuration reference lists every key of FIELDS as generated (npm run docs:config)", () => {
    expect(withReference(readme, configReference(FIELDS))).toBe(readme);
    for (const key of Object.keys(FIELDS)) expect(readme).toContain(`| \`${key}\` |`);
  });

  test("the reference marks live keys and shows each key's values", () => {
    const table = configReference({
      a: { kind: "integer", default: 5, min: 1, max: 9, live: true, doc: "an a" },
      b: { kind: "string", default: "", rule: "a word", doc: "a b" },
      c: { kind: "boolean", default: true, doc: "a c" },
    });
    expect(table.split("\n").slice(2)).toEqual(["| `a` | `5` | integer 1 to 9 | an a (live) |", "| `b` | (empty) | a word | a b |", "| `c` | `true` | `true`, `false` | a c |"]);
    expect(() => withReference("no markers", table)).toThrow(BEGIN);
    expect(readme.indexOf(BEGIN)).toBeLessThan(readme.indexOf(END));
  });

  test("shows the two commands a newcomer needs first: the simulator and the tests", () => {
    const firstBlock = readme.slice(readme.indexOf("```sh"), readme.indexOf("```", readme.indexOf("```sh") + 5));
    expect(firstBlock).toMatch(/^npm start\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
  });
});
