import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/e2e-clock';
import { builtScript, exitWithin, spawnNode } from '../helpers/e2e-process';
import {
  PLACEHOLDER,
  REL_MISP_KEY,
  REL_SECRETS,
  REL_SEKOIA_KEY,
  ReliabilityWorld,
} from '../helpers/reliability-world';
import { REPO_ROOT } from '../helpers/runtime-fixtures';

/**
 * One bad value per field of both schemas (manifest.json `configuration`, the trigger's `arguments`),
 * plus each required field missing: exactly one critical line naming the field, no secret in any
 * output, and the trigger stays up, idle (no request to MISP or Sekoia), until stopped.
 * tests/unit/runtime/validate-configuration.test.ts checks the messages' wording on a few fields;
 * here every field goes through the whole runtime.
 */
interface Schema {
  properties: Record<string, unknown>;
  required?: string[];
}
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'manifest.json'), 'utf8')) as {
  configuration: Schema & { secrets: string[] };
};
const triggerFile = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'trigger_misp_ids_to_ioc.json'), 'utf8'),
) as { arguments: Schema };

/** A bad secret, distinctive enough to spot if it were printed. */
const BAD_KEY_NUMBER = 31415926535897;

interface BadCase {
  field: string;
  where: 'account' | 'trigger';
  /** The bad value; undefined: the field is missing. */
  value?: unknown;
}

const ACCOUNT_BAD: Record<string, unknown> = {
  misp_url: 'misp.example.com',
  misp_api_key: BAD_KEY_NUMBER,
  sekoia_api_key: '',
  http_proxy: 'socks5://proxy.internal:1080',
  https_proxy: 'socks5 proxy',
  misp_ca_certificate: 'not a certificate',
};
const TRIGGER_BAD: Record<string, unknown> = {
  sekoia_region: 'EU',
  ioc_collection_server: 'api.sekoia.io',
  ioc_collection_uuid: 'ioc-collection--nope',
  publish_timestamp: 'yesterday',
  sleep_time: 10,
  attribute_types: ['ip-dst', 'bogus'],
  enforce_warninglist: 'sometimes',
  ioc_validity_days: 0,
  include_tags: [''],
  exclude_tags: ['tlp:red', 'tlp:red'],
  reconcile_every_hours: -1,
  collection_check_every_hours: -1,
  revoke_withdrawn: 'yes please',
  ioc_context: 'yes',
};

const CASES: BadCase[] = [
  ...Object.entries(ACCOUNT_BAD).map(([field, value]) => ({ field, where: 'account' as const, value })),
  ...Object.entries(TRIGGER_BAD).map(([field, value]) => ({ field, where: 'trigger' as const, value })),
  ...(manifest.configuration.required ?? []).map((field) => ({ field, where: 'account' as const })),
  ...(triggerFile.arguments.required ?? []).map((field) => ({ field, where: 'trigger' as const })),
];
const SECRET_FIELDS = new Set(manifest.configuration.secrets);

describe('a malformed configuration, one case per field', () => {
  let world: ReliabilityWorld;
  beforeAll(async () => {
    world = await ReliabilityWorld.start();
  });
  afterAll(() => world.close());

  it('has a case for every field of both schemas, and for every required one missing', () => {
    expect(Object.keys(ACCOUNT_BAD).sort()).toEqual(Object.keys(manifest.configuration.properties).sort());
    expect(Object.keys(TRIGGER_BAD).sort()).toEqual(Object.keys(triggerFile.arguments.properties).sort());
    expect(CASES.filter((badCase) => !('value' in badCase)).map((badCase) => badCase.field)).toEqual([
      'misp_url',
      'misp_api_key',
      'sekoia_api_key',
      'ioc_collection_uuid',
    ]);
  });

  it.each(CASES.map((badCase) => ({ ...badCase, how: 'value' in badCase ? 'bad' : 'missing' })))(
    '$where $field $how: one critical naming it, no secret, idle until stopped',
    async ({ field, where, value }) => {
      world.sekoia.clearReceived();
      const secrets: Record<string, unknown> = { misp_api_key: REL_MISP_KEY, sekoia_api_key: REL_SEKOIA_KEY };
      const module: Record<string, unknown> = {
        misp_url: world.misp.url,
        misp_api_key: PLACEHOLDER,
        sekoia_api_key: PLACEHOLDER,
      };
      const trigger: Record<string, unknown> = {};
      const target = where === 'account' ? (SECRET_FIELDS.has(field) ? secrets : module) : trigger;
      if (value === undefined) {
        delete module[field];
        delete secrets[field];
      } else target[field] = value;
      world.sekoia.settings.secrets = secrets as Record<string, string>;
      const env = world.env({ module });
      const triggerConfiguration = JSON.parse(env.TRIGGER_CONFIGURATION as string) as Record<string, unknown>;
      if (where === 'trigger' && value === undefined) delete triggerConfiguration[field];
      const run = world.run({
        module,
        trigger,
        extra: { TRIGGER_CONFIGURATION: JSON.stringify({ ...triggerConfiguration, ...trigger }) },
      });
      let exited = false;
      void run.exit.then(() => (exited = true));
      await waitFor('the critical line to be shipped', () =>
        world.sekoia.logs().some((log) => log.level === 'critical'),
      );

      const critical = run.console.lines.filter((line) => / CRITICAL /.test(line));
      expect(critical).toHaveLength(1);
      expect(critical[0]).toContain(field);
      expect(world.sekoia.logs().filter((log) => log.level === 'critical')).toHaveLength(1);
      // Idle: alive, and no request to MISP or to the IOC Collection.
      await new Promise((resolve) => setImmediate(resolve));
      expect(exited).toBe(false);
      expect(world.misp.requestCounts()).toEqual({});
      expect(world.collection().importRequests).toBe(0);

      run.signals.fire('SIGTERM');
      await expect(run.exit).resolves.toBe(0);
      const everything = world.everythingCaptured();
      for (const secret of [...REL_SECRETS, String(BAD_KEY_NUMBER)]) expect(everything).not.toContain(secret);
    },
  );

  it('the built entry point: one critical naming sleep_time, stays up until SIGTERM, then exits 0', async () => {
    world.sekoia.clearReceived();
    world.sekoia.settings.secrets = { misp_api_key: REL_MISP_KEY, sekoia_api_key: REL_SEKOIA_KEY };
    const child = spawnNode(
      builtScript('src/main.js'),
      ['trigger-misp-ids-to-ioc-collection'],
      world.env({ trigger: { sleep_time: 10 } }),
    );
    await waitFor('the critical line', () => / CRITICAL /.test(child.output()), 1500);
    await waitFor('the critical line to be shipped', () =>
      world.sekoia.logs().some((log) => log.level === 'critical'),
    );
    expect(child.output().match(/ CRITICAL .*/g)).toEqual([
      expect.stringMatching(/sleep_time .*at least 60/),
    ]);
    expect(child.child.exitCode).toBeNull();

    child.child.kill('SIGTERM');
    await expect(exitWithin(child, 10_000)).resolves.toBe(0);
    world.childOutput.push(child.output());
    world.expectNoSecret();
  });
});
