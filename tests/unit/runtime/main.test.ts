import { main, USAGE_EXIT_CODE } from '../../../src/main';
import { INCOMPLETE_CYCLE_EXIT_CODE } from '../../../src/runtime';
import { parseDemoArgs } from '../../../tools/demo/args';
import type { TriggerRegistry } from '../../../src/triggers';
import {
  ConsoleCapture,
  makeVolume,
  ManualSignals,
  MISP_KEY,
  REPO_ROOT,
  testTrigger,
  VALID_COLLECTION,
} from '../../helpers/runtime-fixtures';

describe('main', () => {
  const seenOptions: unknown[] = [];
  const trigger = testTrigger(async (context) => void seenOptions.push(context.runOptions));
  const registry: TriggerRegistry = new Map([[trigger.command, trigger]]);

  it.each([
    [[], /^No command given\./],
    [['trigger-unknown'], /^Unknown command "trigger-unknown"\./],
    [['test-trigger', '--forever'], /^Unknown option "--forever"\./],
  ])('exits 2 and lists the known commands for %j', async (args, problem) => {
    const stderr = new ConsoleCapture();
    await expect(main(args, { registry, stderr })).resolves.toBe(USAGE_EXIT_CODE);
    expect(USAGE_EXIT_CODE).toBe(2);
    expect(stderr.text).toMatch(problem);
    expect(stderr.text).toContain('Usage: node dist/main.js <command> [--once] [--dry-run]');
    expect(stderr.text).toContain('--help');
    expect(stderr.text).toContain('Known commands: test-trigger');
  });

  const runEnv = () => ({
    SYMPHONY_VOLUME_PATH: makeVolume({}),
    MODULE_CONFIGURATION: JSON.stringify({
      misp_url: 'https://misp.example.com',
      misp_api_key: MISP_KEY,
      sekoia_api_key: 'sekoia-key-for-main',
    }),
    TRIGGER_CONFIGURATION: JSON.stringify({ ioc_collection_uuid: VALID_COLLECTION }),
    LIVENESS_PORT: '0',
    METRICS_PORT: '0',
  });

  it('takes --reconcile (with --once: a one-off reconciliation run) as a run option', async () => {
    seenOptions.length = 0;
    const code = await main(['test-trigger', '--reconcile', '--once'], {
      registry,
      env: runEnv(),
      cwd: REPO_ROOT,
      consoleStream: new ConsoleCapture(),
      signals: new ManualSignals(),
      host: '127.0.0.1',
    });
    expect(code).toBe(0);
    expect(seenOptions).toEqual([{ once: true, dryRun: false, reconcile: true }]);
  });

  it('runs the named trigger with the flags as run options', async () => {
    seenOptions.length = 0;
    const env = {
      SYMPHONY_VOLUME_PATH: makeVolume({}),
      MODULE_CONFIGURATION: JSON.stringify({
        misp_url: 'https://misp.example.com',
        misp_api_key: MISP_KEY,
        sekoia_api_key: 'sekoia-key-for-main',
      }),
      TRIGGER_CONFIGURATION: JSON.stringify({ ioc_collection_uuid: VALID_COLLECTION }),
      LIVENESS_PORT: '0',
      METRICS_PORT: '0',
    };
    const consoleStream = new ConsoleCapture();
    const code = await main(['test-trigger', '--dry-run', '--once'], {
      registry,
      env,
      cwd: REPO_ROOT,
      consoleStream,
      signals: new ManualSignals(),
      host: '127.0.0.1',
    });
    expect(code).toBe(0);
    expect(seenOptions).toEqual([{ once: true, dryRun: true }]);
  });

  it.each([[['--help']], [['-h']], [['test-trigger', '--help']], [['test-trigger', '--once', '--help']]])(
    'prints the usage, the flags and the environment for %j, and exits 0 without running anything',
    async (args) => {
      const stdout = new ConsoleCapture();
      const stderr = new ConsoleCapture();
      const before = seenOptions.length;
      await expect(main(args, { registry, stdout, stderr })).resolves.toBe(0);
      expect(seenOptions).toHaveLength(before);
      expect(stderr.text).toBe('');
      for (const expected of [
        'Usage: node dist/main.js <command>',
        '  test-trigger',
        '--once',
        '--dry-run',
        '--help, -h',
        'MODULE_CONFIGURATION',
        'TRIGGER_CONFIGURATION',
        'SYMPHONY_DATA_PATH',
        'LOG_LEVEL',
        'HTTPS_PROXY',
        `${INCOMPLETE_CYCLE_EXIT_CODE} when it did not`,
      ]) {
        expect(stdout.text).toContain(expected);
      }
    },
  );

  describe('--once exit code', () => {
    const env = () => ({
      SYMPHONY_VOLUME_PATH: makeVolume({}),
      MODULE_CONFIGURATION: JSON.stringify({
        misp_url: 'https://misp.example.com',
        misp_api_key: MISP_KEY,
        sekoia_api_key: 'sekoia-key-for-main',
      }),
      TRIGGER_CONFIGURATION: JSON.stringify({ ioc_collection_uuid: VALID_COLLECTION }),
      LIVENESS_PORT: '0',
      METRICS_PORT: '0',
    });
    const runOnce = (outcome: 'failed' | 'succeeded') => {
      const once = testTrigger(async (context) => {
        if (outcome === 'failed') context.cycleFailed(new Error('MISP could not be reached'));
        else context.cycleSucceeded();
      });
      return main(['test-trigger', '--once'], {
        registry: new Map([[once.command, once]]),
        env: env(),
        cwd: REPO_ROOT,
        consoleStream: new ConsoleCapture(),
        signals: new ManualSignals(),
        host: '127.0.0.1',
      });
    };

    it('is non-zero when the cycle did not complete', async () => {
      expect(INCOMPLETE_CYCLE_EXIT_CODE).toBe(3);
      await expect(runOnce('failed')).resolves.toBe(INCOMPLETE_CYCLE_EXIT_CODE);
    });

    it('is 0 when it completed', async () => {
      await expect(runOnce('succeeded')).resolves.toBe(0);
    });
  });
});

describe('the demo command line', () => {
  it.each([[['--help']], [['--once', '-h']]])('reads %j as a request for help', (argv) => {
    expect(parseDemoArgs(argv)).toMatchObject({ ok: true, help: true });
  });

  it('still refuses an unknown flag', () => {
    expect(parseDemoArgs(['--forever'])).toEqual({ ok: false, problem: 'Unknown option "--forever".' });
  });
});
