import { readFileSync } from "node:fs";

describe("project skeleton", () => {
  test("src/ is compiled without runtime types (DESIGN.md rule 1)", () => {
    const config = JSON.parse(readFileSync("src/tsconfig.json", "utf8"));
    expect(config.compilerOptions.types).toEqual([]);
    expect(config.compilerOptions.lib.every((lib: string) => /^ES\d{4}$/.test(lib))).toBe(true);
  });
});
