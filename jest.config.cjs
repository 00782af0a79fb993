/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/tools/esbuild-jest.cjs" },
  // Sources import siblings as `./x.js` (what XS and Node ESM resolve); map to the .ts file.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 30000,
  reporters: ["default", "<rootDir>/tools/summary-reporter.cjs"],
};
