import { main, USAGE_EXIT_CODE } from '../../../src/main';
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
    expect(stderr.text).toContain('Known commands: test-trigger');
  });

  it('runs the named trigger with the flags as run options', async () => {
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
});
