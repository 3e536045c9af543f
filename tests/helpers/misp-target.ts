import { randomUUID } from 'node:crypto';
import { startMispEmulator, type MispEmulator, type MispEmulatorOptions } from '../../tools/emulators/misp';
import { MispRest } from './misp-rest';

/**
 * Where the MISP contract suite runs: the emulator (CI, `npm test`), or a real MISP when
 * MISP_TEST_URL and MISP_TEST_KEY are set (`npm run test:real-misp`). Both are seeded and read
 * through the same REST calls (MispRest); only the clock differs: the emulator's is moved by
 * hand, a real MISP's is the wall clock.
 */
export interface MispTarget {
  readonly kind: 'emulator' | 'real';
  readonly url: string;
  readonly key: string;
  readonly rest: MispRest;
  /** What /servers/getVersion answers (e.g. '2.5.1', '2.4.194'). */
  readonly version: string;
  /** The emulator, when the target is one (for what only an emulator can do: faults, knobs). */
  readonly emulator?: MispEmulator;
  /** A name unique to this target and run: tag names and values built on it meet no other data. */
  readonly runId: string;
  /** MISP's "now", epoch seconds. */
  nowSeconds(): number;
  /** Lets a second pass, so that a timestamp set from now differs from the last one. */
  nextSecond(): Promise<void>;
  /** Deletes every event seeded, then stops the emulator (a real MISP is left running). */
  close(): Promise<void>;
}

export interface RealMispSettings {
  url: string;
  key: string;
}

/** The real MISP to test against, from MISP_TEST_URL and MISP_TEST_KEY; undefined without both. */
export function realMispSettings(env: NodeJS.ProcessEnv = process.env): RealMispSettings | undefined {
  const url = env.MISP_TEST_URL?.trim();
  const key = env.MISP_TEST_KEY?.trim();
  if (!url || !key) return undefined;
  return { url: url.replace(/\/+$/, ''), key };
}

/** The real MISP configured, if any. */
export const REAL_MISP = realMispSettings();

/**
 * The targets of a contract case whose answers differ by MISP version: the real MISP alone when
 * configured, else the emulator as 2.5.1 and as 2.4.194 (the last version whose X-Result-Count
 * counts from the first row).
 */
export const VERSIONED_TARGETS: ReadonlyArray<{ name: string; emulator?: MispEmulatorOptions }> = REAL_MISP
  ? [{ name: `the real MISP at ${REAL_MISP.url}` }]
  : [
      { name: 'the emulator as MISP 2.5.1', emulator: { version: '2.5.1' } },
      { name: 'the emulator as MISP 2.4.194', emulator: { version: '2.4.194' } },
    ];

/**
 * Opens the target: the real MISP when configured (unless `emulatorOnly`), else an emulator with a
 * hand-moved clock starting at the wall clock's second, given `emulator` options (version...).
 */
export async function openMispTarget(
  options: { emulator?: MispEmulatorOptions; emulatorOnly?: boolean } = {},
): Promise<MispTarget> {
  const runId = `contract-${randomUUID().slice(0, 8)}`;
  if (REAL_MISP && !options.emulatorOnly) {
    const rest = new MispRest(REAL_MISP.url, REAL_MISP.key);
    const nowSeconds = (): number => Math.floor(Date.now() / 1000);
    return {
      kind: 'real',
      url: REAL_MISP.url,
      key: REAL_MISP.key,
      rest,
      version: await rest.version(),
      runId,
      nowSeconds,
      // A real MISP stamps with its own clock: the only way to a new second is to let it come.
      nextSecond: () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20)),
      close: () => rest.cleanUp(),
    };
  }
  let clockMs = Math.floor(Date.now() / 1000) * 1000;
  const emulator = await startMispEmulator({ now: () => clockMs, ...options.emulator });
  const rest = new MispRest(emulator.url, emulator.apiKey);
  return {
    kind: 'emulator',
    url: emulator.url,
    key: emulator.apiKey,
    rest,
    version: await rest.version(),
    emulator,
    runId,
    nowSeconds: () => Math.floor(clockMs / 1000),
    nextSecond: () => {
      clockMs += 1000;
      return Promise.resolve();
    },
    close: async () => {
      await rest.cleanUp();
      await emulator.close();
    },
  };
}
