/**
 * npm run test:real-misp: the MISP contract suite and the trigger's real-MISP e2e tests against
 * the MISP named by MISP_TEST_URL and MISP_TEST_KEY, one file at a time (they share its data).
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

if (!process.env.MISP_TEST_URL || !process.env.MISP_TEST_KEY) {
  throw new Error(
    'npm run test:real-misp needs MISP_TEST_URL (e.g. http://127.0.0.1:18080) and MISP_TEST_KEY (an API key of a site admin) set',
  );
}

module.exports = {
  ...base,
  testMatch: ['<rootDir>/tests/contract/**/*.test.ts', '<rootDir>/tests/real-misp/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 300000,
};
