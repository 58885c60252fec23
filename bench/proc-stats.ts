/**
 * What a process costs, read from Linux's /proc: CPU time (utime + stime, in clock ticks) and
 * memory (VmRSS now, VmHWM the peak). Reading /proc costs the measured process nothing, unlike a
 * probe inside it, and works the same for a Brigade node, a reference server or the emulator.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

const TICKS_PER_SECOND = clockTicksPerSecond();

/** CPU seconds the process has used so far (user + system), or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface MemorySample {
  /** Resident set size now, in MB. */
  rssMb: number;
  /** Peak resident set size since start (or since the last resetPeak), in MB. */
  peakMb: number;
}

export function memory(pid: number): MemorySample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/**
 * Starts a new peak: writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0), so
 * the next read gives the peak of what happened in between — "under load", not "at start-up".
 * Returns false where that is not allowed; the caller then keeps the running peak.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds used by each process between `start()` and `stop()`. */
export class CpuMeter {
  private readonly before = new Map<number, number>();

  constructor(private readonly pids: readonly number[]) {}

  start(): void {
    for (const pid of this.pids) this.before.set(pid, cpuSeconds(pid) ?? 0);
  }

  stop(): Map<number, number> {
    const used = new Map<number, number>();
    for (const pid of this.pids)
      used.set(pid, Math.max(0, (cpuSeconds(pid) ?? this.before.get(pid) ?? 0) - (this.before.get(pid) ?? 0)));
    return used;
  }
}
