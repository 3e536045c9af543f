import type { SekoiaEmulator } from '../emulators/sekoia';
import { SEKOIA_FORMATS } from '../../src/sekoia/types';
import { isRecord } from '../../src/json';

/** IOCs held by the emulated collection, by format (every known format, zeros included). */
export function countByFormat(sekoia: SekoiaEmulator, collectionId: string): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(SEKOIA_FORMATS.map((format) => [format, 0]));
  for (const indicator of sekoia.collection(collectionId).indicators) {
    counts[indicator.format] = (counts[indicator.format] ?? 0) + 1;
  }
  return counts;
}

/** `skipped` of the last event the trigger sent to /callback, or undefined when it sent none. */
export function lastSkipped(sekoia: SekoiaEmulator): Record<string, number> | undefined {
  const last = sekoia.events().at(-1);
  const skipped = isRecord(last?.event) ? last.event.skipped : undefined;
  if (!isRecord(skipped)) return undefined;
  return Object.fromEntries(
    Object.entries(skipped).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}

export interface SummaryInput {
  sekoia: SekoiaEmulator;
  collectionId: string;
  dryRun: boolean;
  exitCode: number;
}

/** The lines printed after a --once demo run: what the collection holds, what was skipped and why. */
export function summaryLines({ sekoia, collectionId, dryRun, exitCode }: SummaryInput): string[] {
  const counts = countByFormat(sekoia, collectionId);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const width = Math.max(...SEKOIA_FORMATS.map((format) => format.length));
  const lines = ['', '=== Demo summary ==='];
  if (total === 0) {
    lines.push(
      `The emulated IOC Collection ${collectionId} is still empty (0 IOCs)` +
        (dryRun
          ? ': a dry run pushes nothing. The "Would push" line above shows what a real run sends.'
          : '.'),
    );
  } else {
    lines.push(`The emulated IOC Collection ${collectionId} now holds ${total} IOCs:`);
    for (const format of SEKOIA_FORMATS) lines.push(`  ${format.padEnd(width)}  ${counts[format]}`);
  }
  const skipped = lastSkipped(sekoia);
  if (skipped === undefined) {
    lines.push(
      'Skipped, by reason: no event: nothing was pushed (the trigger sends its event only after a push).',
    );
  } else {
    const parts = Object.entries(skipped).map(([reason, n]) => `${reason.replace(/_/g, ' ')} ${n}`);
    lines.push(`Skipped, by reason (from the event the trigger sent): ${parts.join(', ') || 'none'}.`);
  }
  lines.push(
    exitCode === 0
      ? 'The trigger finished its cycle (exit code 0).'
      : `The trigger failed (exit code ${exitCode}): see the critical line above.`,
  );
  lines.push(
    'Next: `npm start` keeps polling every 60 s and adds MISP attributes, to show incremental cycles.',
  );
  return lines;
}
