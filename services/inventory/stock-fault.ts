/**
 * BRIGADE_FAULT for the stock ledger: the process dies (SIGKILL, nothing runs after it) right
 * after a movement's first write, as a node losing power would. Only tests set it, to prove that
 * the next start finishes or undoes the movement (test/integration/stock-crash.test.ts).
 */
import { writeSync } from "node:fs";
import type { Fault } from "../../lib/settings";

export function stockFault(fault: Fault | undefined): ((movement: string) => void) | undefined {
  if (!fault) return undefined;
  return (movement) => {
    if (fault.movement && fault.movement !== movement) return;
    // Written synchronously: a log line queued for later would die with the process.
    writeSync(2, `${JSON.stringify({ fault: fault.point, movement, msg: "BRIGADE_FAULT: dying mid-movement." })}\n`);
    process.kill(process.pid, "SIGKILL");
  };
}
