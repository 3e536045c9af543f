import { writeFileSync } from 'node:fs';

/**
 * Preloaded into a trigger process (`node -r dist/tools/bench/usage-probe.js ...`): at exit, writes the
 * process' resource usage (maxRSS in KiB, CPU times in microseconds) as JSON to BENCH_USAGE_FILE.
 */
export interface ProcessUsage {
  maxRssKb: number;
  userMicros: number;
  systemMicros: number;
}

/** Registers the exit hook writing `file`. */
export function recordUsageOnExit(file: string): void {
  process.once('exit', () => {
    const usage = process.resourceUsage();
    const record: ProcessUsage = {
      maxRssKb: usage.maxRSS,
      userMicros: usage.userCPUTime,
      systemMicros: usage.systemCPUTime,
    };
    writeFileSync(file, JSON.stringify(record));
  });
}

const target = process.env.BENCH_USAGE_FILE;
if (target) recordUsageOnExit(target);
