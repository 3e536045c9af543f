import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * MISP's own CPU, read from /proc: the processes serving it on this machine (PHP, MariaDB) and
 * their user + system time. A MISP elsewhere cannot be measured this way.
 */

/** The process names counted as MISP's (its PHP workers, its database). */
export const MISP_PROCESS_NAMES = /^(php|php-fpm|php[0-9.]+|php-fpm[0-9.]+|apache2|httpd|mariadbd|mysqld)$/;

/** One process as /proc/<pid>/stat tells it. */
export interface ProcStat {
  pid: number;
  /** The executable's name (comm), at most 15 characters. */
  name: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/**
 * Reads a /proc/<pid>/stat line. The name is between the first "(" and the last ")" (it may hold
 * spaces and parentheses); then state, ppid, ... utime (field 14) and stime (field 15).
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const ppid = Number(rest[1]);
  if (![utime, stime, ppid].every(Number.isFinite)) return undefined;
  return {
    pid: Number(line.slice(0, open).trim()),
    name: line.slice(open + 1, close),
    ppid,
    cpuTicks: utime + stime,
  };
}

/** What names a process: its stat and its command line (arguments joined by spaces). */
export interface ProcessEntry {
  stat: ProcStat;
  commandLine: string;
}

/**
 * The pids of MISP's processes among `entries`: a PHP or database process whose command line holds
 * one of `marks` (its port, its data directory), and every descendant of one (a PHP server's workers).
 */
export function selectMispProcesses(entries: readonly ProcessEntry[], marks: readonly string[]): number[] {
  const chosen = new Set<number>();
  for (const { stat, commandLine } of entries) {
    if (MISP_PROCESS_NAMES.test(stat.name) && marks.some((mark) => commandLine.includes(mark)))
      chosen.add(stat.pid);
  }
  for (let grew = true; grew;) {
    grew = false;
    for (const { stat } of entries) {
      if (!chosen.has(stat.pid) && chosen.has(stat.ppid)) {
        chosen.add(stat.pid);
        grew = true;
      }
    }
  }
  return [...chosen].sort((a, b) => a - b);
}

function readProcess(pid: string): ProcessEntry | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!stat) return undefined;
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { stat, commandLine };
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** Every process /proc shows now. */
export function listProcesses(): ProcessEntry[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(readProcess)
    .filter((entry): entry is ProcessEntry => entry !== undefined);
}

let ticksPerSecond: number | undefined;

/** sysconf(_SC_CLK_TCK): 100 on Linux nearly always; asked once. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU ticks by pid and process name, at one moment. */
export type CpuSnapshot = Map<number, { name: string; ticks: number }>;

/** The CPU ticks of MISP's processes now (those `marks` select). */
export function mispCpuSnapshot(marks: readonly string[]): CpuSnapshot {
  const entries = listProcesses();
  const pids = new Set(selectMispProcesses(entries, marks));
  const snapshot: CpuSnapshot = new Map();
  for (const { stat } of entries)
    if (pids.has(stat.pid)) snapshot.set(stat.pid, { name: stat.name, ticks: stat.cpuTicks });
  return snapshot;
}

/**
 * The CPU seconds spent between two snapshots, by process name and in all. A process started in
 * between counts from zero; one gone in between is lost (PHP's built-in server and MariaDB keep
 * their processes).
 */
export function cpuSpent(
  before: CpuSnapshot,
  after: CpuSnapshot,
  ticksPerSecondValue: number,
): { total: number; byName: Record<string, number> } {
  const byName: Record<string, number> = {};
  let total = 0;
  for (const [pid, { name, ticks }] of after) {
    const spent = (ticks - (before.get(pid)?.ticks ?? 0)) / ticksPerSecondValue;
    byName[name] = (byName[name] ?? 0) + spent;
    total += spent;
  }
  return { total, byName };
}
