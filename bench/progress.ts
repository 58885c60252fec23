/**
 * One progress bar over the whole run, in seconds of planned load (start-ups are not counted:
 * they take what they take). Off a terminal, cli-progress stays silent and a line per phase is
 * printed instead, so a log still shows where a run was.
 */
import cliProgress from "cli-progress";

export interface Progress {
  phase(name: string): void;
  advance(seconds: number): void;
  /** Adds planned seconds discovered along the way. */
  plan(seconds: number): void;
  log(line: string): void;
  stop(): void;
}

export function createProgress(totalSeconds: number, quiet = false): Progress {
  const tty = process.stderr.isTTY && !quiet;
  const bar = new cliProgress.SingleBar(
    {
      format: "bench {bar} {percentage}% | {value}/{total} s of load | {phase}",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let total = totalSeconds;
  let done = 0;
  if (tty) bar.start(total, 0, { phase: "starting" });
  return {
    phase(name) {
      if (tty) bar.update(done, { phase: name });
      else if (!quiet) process.stderr.write(`[bench] ${name}\n`);
    },
    advance(seconds) {
      done = Math.min(total, done + seconds);
      if (tty) bar.update(done);
    },
    plan(seconds) {
      total += seconds;
      if (tty) bar.setTotal(total);
    },
    log(line) {
      if (tty) {
        // Print above the bar, then redraw it.
        process.stderr.write(`\r\x1b[K${line}\n`);
        bar.update(done);
      } else if (!quiet) process.stderr.write(`[bench] ${line}\n`);
    },
    stop() {
      if (tty) {
        bar.update(total);
        bar.stop();
      }
    },
  };
}
