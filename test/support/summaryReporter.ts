import Mocha from 'mocha';

/**
 * Mocha's spec reporter plus one closing line, `tests: N passed, N failed, N skipped`, in the
 * plain form CI reads whatever the runner.
 */
class SummaryReporter extends Mocha.reporters.Spec {
  // Spec prints its epilogue on the run's end event; the line follows it synchronously, before
  // `--exit` ends the process.
  override epilogue(): void {
    super.epilogue();
    const s = this.stats;
    console.log(`tests: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
  }
}

export = SummaryReporter;
