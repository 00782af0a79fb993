import { filterProblem, topicMatches, topicProblem } from "../../src/mqtt/topic.js";

describe("topic rules", () => {
  test("topic names: no wildcards, not empty, no NUL", () => {
    expect(topicProblem("home/office/lamp")).toBeUndefined();
    expect(topicProblem("/")).toBeUndefined();
    expect(topicProblem("")).toMatch(/empty/);
    expect(topicProblem("home/+/lamp")).toMatch(/wildcard/);
    expect(topicProblem("home/#")).toMatch(/wildcard/);
    expect(topicProblem("a\u0000b")).toMatch(/NUL/);
    expect(topicProblem("x".repeat(65536))).toMatch(/65535/);
  });

  test("filters: + fills a level, # is last and alone", () => {
    for (const ok of ["#", "+", "a/+/c", "a/#", "+/+", "/+", "a//b", "$SYS/#", "+/"]) {
      expect(filterProblem(ok)).toBeUndefined();
    }
    for (const bad of ["", "a+", "a/b+", "+a", "a/#/b", "a#", "#/", "a/+b/c"]) {
      expect(filterProblem(bad)).toBeDefined();
    }
  });

  test.each([
    ["a/b/c", "a/b/c", true],
    ["a/b/c", "a/b", false],
    ["a/b", "a/b/c", false],
    ["a/b", "a/bc", false],
    ["a/bc", "a/b", false],
    ["a/+/c", "a/b/c", true],
    ["a/+/c", "a//c", true],
    ["a/+", "a/", true],
    ["a/+", "a", false],
    ["+", "/", false],
    ["+/+", "/", true],
    ["/+", "/x", true],
    ["#", "a/b/c", true],
    ["#", "/", true],
    ["a/#", "a", true],
    ["a/#", "a/b/c", true],
    ["a/#", "ab", false],
    ["+/#", "a", true],
    ["#", "$SYS/broker", false],
    ["+/broker", "$SYS/broker", false],
    ["$SYS/#", "$SYS/broker", true],
    ["$SYS/+", "$SYS/broker", true],
    ["a/+/+", "a/b", false],
  ])("filter %s on topic %s: %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});
