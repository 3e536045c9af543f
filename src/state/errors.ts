import { AppError } from '../errors';

/**
 * The state file could not be opened, read or written. Never fatal: the cycle fails without
 * moving the cursor and the next one retries. Never read as "not pushed": a store error always
 * throws this.
 */
export class StateError extends AppError {
  /** The SQLite file at fault. */
  readonly filePath: string;

  constructor(message: string, filePath: string, cause?: unknown) {
    super(message, { code: 'STATE', cause });
    this.filePath = filePath;
  }
}

/** The driver's own words (e.g. "SQLITE_FULL: database or disk is full"), for the message. */
export function describeCause(error: unknown): string {
  // Not `instanceof Error`: the native driver's errors may come from another realm.
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
