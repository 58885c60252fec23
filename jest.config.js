/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testTimeout: 30000,
  // Services read their settings from the environment; tests start with in-memory SQLite.
  setupFiles: ["<rootDir>/test/support/env.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
};
