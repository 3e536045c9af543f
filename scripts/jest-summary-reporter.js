'use strict';
// Writes jest's aggregated results to $JEST_JSON_OUTPUT, so that .ci/run can print its closing
// line from jest's own counts while `npm test` stays exactly what the README says.
const { writeFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_JSON_OUTPUT;
    if (!file) return;
    const { numPassedTests, numFailedTests, numPendingTests, numTotalTests, numRuntimeErrorTestSuites } =
      results;
    writeFileSync(
      file,
      JSON.stringify({
        numPassedTests,
        numFailedTests,
        numPendingTests,
        numTotalTests,
        numRuntimeErrorTestSuites,
      }),
    );
  }
}
module.exports = SummaryReporter;
