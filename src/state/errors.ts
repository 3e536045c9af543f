import { AppError } from '../errors';

/**
 * The state file could not be opened, read or written. A read or write failing during a cycle is
 * not fatal: the cycle fails without moving the cursor and the next one retries. A file that
 * cannot be opened at start-up is fatal (`fatal: true`): the data folder is the user's to fix.
 * Never read as "not pushed": a store error always throws this.
 */
export class StateError extends AppError {
  /** The SQLite file at fault. */
  readonly filePath: string;

  constructor(message: string, filePath: string, cause?: unknown, fatal = false) {
    super(message, { code: 'STATE', cause, fatal });
    this.filePath = filePath;
  }
}

/**
 * The state's store failed at start-up for a reason no person can fix (S3 answering 5xx or
 * throttling, or out of reach): an outage. Not fatal: the trigger tries again until it opens.
 */
export class StateOutageError extends StateError {}

/** Seconds between two tries to open the state after an outage at start-up. */
export const STATE_OUTAGE_RETRY_SECONDS = 60;

/** What to do when the state file cannot be opened, appended to the open errors' messages. */
export const DATA_FOLDER_FIX =
  'The trigger keeps what it pushed in this file: check that the data folder exists and is writable ' +
  '(/symphony_data in the container, or the folder named by SYMPHONY_DATA_PATH), and that the disk is not full. ' +
  "On Sekoia.io the folder is the platform's: restart the trigger, and contact Sekoia.io support if it persists.";
