import type { LogLevel } from './types';

const COLOURS: Record<LogLevel, string> = {
  critical: '\u001b[1;31m',
  error: '\u001b[31m',
  warning: '\u001b[33m',
  info: '\u001b[32m',
  debug: '\u001b[90m',
};
const RESET = '\u001b[0m';

/** `2026-11-28T08:00:00.000Z INFO  message`: one readable line per log, coloured on a terminal. */
export function formatConsoleLine(date: string, level: LogLevel, message: string, colour: boolean): string {
  const name = level.toUpperCase().padEnd(5);
  return `${date} ${colour ? `${COLOURS[level]}${name}${RESET}` : name} ${message}`;
}
