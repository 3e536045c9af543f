import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemo } from '../../tools/demo/start';
import { realRunEnv } from '../../tools/demo/real-config';
import { DEFAULT_WARNINGLIST, sampleEvents, SUPPORTED_TYPES } from '../../tools/emulators/misp';
import { GatedClock, waitFor } from '../helpers/e2e-clock';
import { expectedCollection } from '../helpers/e2e-expected';
import { builtScript, exitWithin, spawnNode } from '../helpers/e2e-process';
import { E2E_COLLECTION, E2E_MISP_KEY, E2E_SECRETS, E2E_SEKOIA_KEY, E2eWorld } from '../helpers/e2e-world';
import { ConsoleCapture, ManualSignals } from '../helpers/runtime-fixtures';

// The demo asks for every supported type, so that every Sekoia format shows.
const sampleIocCount = (): number =>
  expectedCollection(sampleEvents(Math.floor(Date.now() / 1000)), SUPPORTED_TYPES, DEFAULT_WARNINGLIST).iocs
    .length;

describe('the demo, built, as `npm start` runs it', () => {
  let startJs: string;
  beforeAll(() => (startJs = builtScript(path.join('tools', 'demo', 'start.js'))));

  it('--once runs one cycle against the emulators, exits 0 and prints the summary with the IOCs pushed', async () => {
    const demo = spawnNode(startJs, ['--once'], {});
    await expect(exitWithin(demo, 20_000)).resolves.toBe(0);
    const output = demo.output();
    expect(output).toContain('DEMO: the trigger runs against EMULATORS');
    expect(output).toMatch(/INFO {2}Cycle done in .*pushed \d+ IOCs/);
    expect(output).toContain('=== Demo summary ===');
    expect(output).toContain(`now holds ${sampleIocCount()} IOCs`);
    expect(output).toMatch(/ipv6-addr\.value +1\n/);
    expect(output).toMatch(/Skipped, by reason \(from the event the trigger sent\): .*invalid value 3/);
  });

  it('--dry-run --once pushes nothing and says the collection is still empty', async () => {
    const demo = spawnNode(startJs, ['--dry-run', '--once'], {});
    await expect(exitWithin(demo, 20_000)).resolves.toBe(0);
    const output = demo.output();
    expect(output).toContain('Would push: ipv4-addr.value');
    expect(output).toContain('is still empty (0 IOCs)');
    expect(output).toContain('no event: nothing was pushed');
  });
});

describe('the demo, in process', () => {
  it('refuses an unknown option with the usage and exit code 2', async () => {
    const err = new ConsoleCapture();
    await expect(startDemo(['--forever'], { err, env: {} })).resolves.toBe(2);
    expect(err.text).toContain('Unknown option "--forever".');
    expect(err.text).toContain('Usage: npm start');
  });

  it('keeps polling, adds MISP attributes that the next cycle pushes, and stops on SIGINT with exit 0', async () => {
    const out = new ConsoleCapture();
    const consoleStream = new ConsoleCapture();
    const clock = new GatedClock();
    const signals = new ManualSignals();
    const exit = startDemo([], {
      env: {},
      out,
      main: { clock, signals, consoleStream },
      changeIntervalMs: 50,
    });
    try {
      await clock.untilParked(1);
      expect(consoleStream.text).toMatch(/pushed \d+ IOCs/);
      // Changes start once the first cycle is over, so this one can only be read by the next.
      await waitFor('a MISP change', () => out.text.includes('[demo] MISP: published new event 6'));
      clock.release();
      await clock.untilParked(2);
      const cycles = consoleStream.lines.filter((line) => line.includes('Cycle done'));
      expect(cycles).toHaveLength(2);
      // At least the new event's four IDS attributes (a later change may have landed too).
      const pushed =
        /pushed (\d+) IOCs \(ipv4-addr.value \d+, domain-name.value 1, url.value 1, file.hashes \d+\)/.exec(
          cycles[1],
        );
      expect(Number(pushed?.[1])).toBeGreaterThanOrEqual(4);
    } finally {
      // Whatever failed above, the demo must stop, or jest waits for it forever.
      signals.fire('SIGINT');
    }
    await expect(exit).resolves.toBe(0);
    expect(out.text).toContain('[demo] Stopped');
  });

  it('runs against the servers a real configuration names, and says so', async () => {
    const world = await E2eWorld.start();
    try {
      const out = new ConsoleCapture();
      const consoleStream = new ConsoleCapture();
      const env = {
        MODULE_CONFIGURATION: JSON.stringify({
          misp_url: world.misp.url,
          misp_api_key: E2E_MISP_KEY,
          sekoia_api_key: E2E_SEKOIA_KEY,
        }),
        TRIGGER_CONFIGURATION: JSON.stringify({
          ioc_collection_server: world.sekoia.url,
          ioc_collection_uuid: E2E_COLLECTION,
        }),
        SYMPHONY_VOLUME_PATH: world.volumePath,
        SYMPHONY_DATA_PATH: world.dataPath,
        LIVENESS_PORT: '0',
        METRICS_PORT: '0',
      };
      const code = await startDemo(['--once'], {
        env,
        out,
        main: { clock: world.clock, signals: new ManualSignals(), consoleStream },
      });
      expect(code).toBe(0);
      expect(out.text).toBe(
        `Real configuration found in the MODULE_CONFIGURATION variable: running against the MISP and Sekoia.io it names (state in ${world.dataPath}).\n`,
      );
      expect(world.collectionIocs()).toEqual(world.expected().iocs);
      for (const secret of E2E_SECRETS) expect(consoleStream.text).not.toContain(secret);
    } finally {
      await world.close();
    }
  });

  it('keeps the state of a local real run in ./.demo-data/real unless SYMPHONY_DATA_PATH says otherwise', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cwd-'));
    const { env, dataPath } = realRunEnv({ MODULE_CONFIGURATION: '{}' }, cwd);
    expect(dataPath).toBe(path.join(cwd, '.demo-data', 'real'));
    expect(env.SYMPHONY_DATA_PATH).toBe(dataPath);
    expect(fs.statSync(dataPath).isDirectory()).toBe(true);
    expect(realRunEnv({ SYMPHONY_DATA_PATH: '/elsewhere' }, cwd).dataPath).toBe('/elsewhere');
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});
