// A jest reporter that ends the run with one plain line, "tests: N passed, N failed, N skipped",
// which tools that read a run's last lines (CI among them) understand without knowing jest. It is
// written as the process exits, on stderr like jest's own summary, so it comes after that summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const line = `tests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`;
    process.once("exit", () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
