/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // The trigger's e2e tests against a real MISP need one (npm run test:real-misp); the MISP
  // contract suite (tests/contract) runs here against the emulator, or the real MISP when set.
  testPathIgnorePatterns:
    process.env.MISP_TEST_URL && process.env.MISP_TEST_KEY
      ? ['/node_modules/']
      : ['/node_modules/', '<rootDir>/tests/real-misp/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Two cores: integration tests start servers and child processes; keep the worker count bounded.
  maxWorkers: 2,
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
};
