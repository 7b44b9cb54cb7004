// Documented exit codes of the `audit` command.

export const EXIT = Object.freeze({
  /** Everything finished and every clip was analysed. */
  OK: 0,
  /** The run could not be done (unreadable input, merge mismatch, set-up problem). */
  FAILURE: 1,
  /** Bad command line. */
  USAGE: 2,
  /** The run finished but some clips or manifest rows failed (see errors.jsonl). */
  SOME_FAILED: 3,
  /** The run's outputs are written but report.html is not (scan, physics); `audit report <out>` tries again. Wins over 3. */
  REPORT_FAILED: 4,
  /** Interrupted (SIGINT/SIGTERM); run the same command again to resume. */
  INTERRUPTED: 130,
});
