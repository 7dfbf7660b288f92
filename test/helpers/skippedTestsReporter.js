/**
 * Lists, after every run, the tests that were skipped and why (the reason describeIf puts in
 * their name), so that `npm test` never passes quietly over what it did not run.
 */
class SkippedTestsReporter {
  onRunComplete(_contexts, results) {
    const reasons = new Map();
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status !== 'pending' && test.status !== 'skipped' && test.status !== 'todo') continue;
        const reason = /\[skipped: ([^\]]+)\]/.exec(test.fullName)?.[1] ?? `no reason given: ${test.fullName}`;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    if (reasons.size === 0) return;
    const lines = [...reasons].map(([reason, count]) => `  ${count} skipped: ${reason}`);
    process.stdout.write(`\nSkipped tests, and why:\n${lines.join('\n')}\n`);
  }
}

module.exports = SkippedTestsReporter;
