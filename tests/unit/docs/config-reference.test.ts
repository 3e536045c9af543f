import fs from 'node:fs';
import path from 'node:path';
import manifest from '../../../manifest.json';
import trigger from '../../../trigger_misp_ids_to_ioc.json';
import { mapAttribute } from '../../../src/pipeline/mapping';
import { SEKOIA_FORMATS } from '../../../src/sekoia/types';
import { codeSpans, section, splitRow, tableAfterMarker, tableHeaders, unquoteCode } from './markdown-tables';

/**
 * Keeps the docs honest: the configuration tables of README.md and docs/user-guide.md against the
 * JSON schemas, the guide's type table against the code, and the guide's troubleshooting against
 * the messages the code can log.
 */

const ROOT = path.resolve(__dirname, '../../..');
const readText = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

const CONFIG_COLUMNS = ['Field', 'Title', 'Type', 'Required', 'Default', 'Description'];
const TYPE_COLUMNS = ['MISP type', 'Value taken', 'Sekoia format', 'Pushed by default', 'Example'];
const NO_DEFAULT = '—';

interface PropertySchema {
  title?: string;
  type?: string | string[];
  default?: unknown;
  items?: { type?: string };
}

interface ObjectSchema {
  properties: Record<string, PropertySchema>;
  required?: string[];
}

const FORMS: Array<{ name: 'account' | 'trigger'; schema: ObjectSchema }> = [
  { name: 'account', schema: manifest.configuration as ObjectSchema },
  { name: 'trigger', schema: trigger.arguments as ObjectSchema },
];

/** The Type column, derived from the schema: "string", "integer or string", "list of strings". */
function typeWords(property: PropertySchema): string {
  if (property.type === 'array') return `list of ${property.items?.type ?? 'value'}s`;
  return ([] as string[]).concat(property.type ?? 'any').join(' or ');
}

function defaultCell(property: PropertySchema): unknown {
  return 'default' in property ? property.default : NO_DEFAULT;
}

function parseDefaultCell(cell: string): unknown {
  if (cell === NO_DEFAULT) return NO_DEFAULT;
  return JSON.parse(unquoteCode(cell)) as unknown;
}

describe.each(['README.md', 'docs/user-guide.md'])('configuration tables of %s', (file) => {
  const text = readText(file);

  it('holds exactly the two marked configuration tables (no other table lists fields)', () => {
    const fieldTables = tableHeaders(text).filter((header) => header[0] === 'Field');
    expect(fieldTables).toHaveLength(FORMS.length);
  });

  describe.each(FORMS)('the $name form', ({ name, schema }) => {
    const table = tableAfterMarker(text, `config-table: ${name}`);
    const rowsByField = new Map<string, string[][]>();
    for (const row of table.rows) {
      const field = unquoteCode(row[0] ?? '');
      rowsByField.set(field, [...(rowsByField.get(field) ?? []), row]);
    }

    it('has the fixed column order', () => {
      expect(table.header).toEqual(CONFIG_COLUMNS);
      for (const row of table.rows) expect(row).toHaveLength(CONFIG_COLUMNS.length);
    });

    it('lists the fields in the order the form shows them', () => {
      expect([...rowsByField.keys()]).toEqual(Object.keys(schema.properties));
    });

    it('names only properties of the schema', () => {
      const unknown = [...rowsByField.keys()].filter((field) => !(field in schema.properties));
      expect(unknown).toEqual([]);
    });

    it.each(Object.keys(schema.properties))(
      'lists %s once, with its title, type, required flag and default',
      (field) => {
        const rows = rowsByField.get(field) ?? [];
        expect(rows).toHaveLength(1);
        const [, title, type, required, defaultText] = rows[0];
        const property = schema.properties[field];
        expect({ title, type, required, default: parseDefaultCell(defaultText) }).toEqual({
          title: property.title,
          type: typeWords(property),
          required: (schema.required ?? []).includes(field) ? 'yes' : 'no',
          default: defaultCell(property),
        });
      },
    );
  });
});

describe('the supported types table of docs/user-guide.md', () => {
  const table = tableAfterMarker(readText('docs/user-guide.md'), 'type-table');
  const typeSchema = trigger.arguments.properties.attribute_types;
  const enumTypes: readonly string[] = typeSchema.items.enum;
  const defaultTypes: readonly string[] = typeSchema.default;
  const formats: readonly string[] = SEKOIA_FORMATS;
  const rows = table.rows.map(([type, , format, byDefault, example]) => ({
    type: unquoteCode(type),
    formats: codeSpans(format),
    byDefault,
    example: unquoteCode(example),
  }));

  it('has the fixed column order', () => {
    expect(table.header).toEqual(TYPE_COLUMNS);
    for (const row of table.rows) expect(row).toHaveLength(TYPE_COLUMNS.length);
  });

  it('lists every type of the attribute_types enum once, and nothing else', () => {
    expect(rows.map((row) => row.type).sort()).toEqual([...enumTypes].sort());
  });

  it.each(rows.map((row) => [row.type, row] as const))('%s: formats are Sekoia formats', (_type, row) => {
    expect(row.formats.length).toBeGreaterThan(0);
    expect(row.formats.filter((format) => !formats.includes(format))).toEqual([]);
  });

  it.each(rows.map((row) => [row.type, row] as const))(
    '%s: "Pushed by default" follows the schema',
    (_type, row) => {
      expect(row.byDefault).toBe(defaultTypes.includes(row.type) ? 'yes' : 'no');
    },
  );

  it.each(rows.map((row) => [row.type, row] as const))(
    '%s: the example maps without a skip, to the formats the row names',
    (type, row) => {
      const mapped = mapAttribute({ type, value: row.example, to_ids: true }, new Set([type]));
      expect(mapped.skipped).toBeUndefined();
      expect(mapped.iocs.length).toBeGreaterThan(0);
      for (const ioc of mapped.iocs) expect(row.formats).toContain(ioc.format);
    },
  );
});

/**
 * Literal pieces of every error and critical message (and the warnings that matter) the trigger
 * can log, as the guide's troubleshooting quotes them. Each must be in the guide and in the code:
 * a message reworded in src/ without the guide fails here. A fragment lies within one string
 * literal of the code (no line break, no `${...}`).
 */
const MESSAGE_FRAGMENTS = [
  // Configuration (critical)
  'Invalid configuration, the trigger cannot start',
  'is missing; it is required',
  '; it must be',
  '(value hidden)',
  'sekoia_api_key is missing: the trigger cannot push IOCs without it',
  'sekoia_api_key is empty: it is needed to push IOCs',
  'misp_api_key is empty: paste the Authkey of a MISP user',
  'misp_url is not a URL: expected e.g. https://misp.example.com',
  'misp_url must start with https:// or http://, got',
  'is not an IOC Collection identifier: expected',
  'ioc_collection_server is not a URL (got',
  'ioc_collection_server must be an https:// (or http://) URL, got',
  'publish_timestamp must be a whole number of days from 1 to 365',
  'given by the runtime (',
  'must be a JSON object, not',
  'Cannot read the runtime file',
  // MISP (critical)
  'MISP refused the API key (',
  'with 405 Method Not Allowed',
  'MISP answered 404 Not Found for',
  '(a redirect) for',
  'MISP rejected',
  "MISP's TLS certificate was refused for",
  'with 407 Proxy Authentication Required',
  // Sekoia.io (critical)
  'Sekoia.io refused sekoia_api_key (401)',
  'sekoia_api_key lacks the permissions',
  'check ioc_collection_uuid in the',
  'not found in the Sekoia.io region',
  'both halves of the batch were refused',
  'Sekoia.io calls use the proxy of the',
  'does not serve the Sekoia.io API',
  'The TLS certificate presented for',
  // Platform and image (critical)
  "Cannot fetch the module's secrets:",
  'The runtime token was refused.',
  'has a "value" that is not an object',
  'so that the platform starts it again',
  'The trigger cannot know what it pushed before without it, so it does not start; once fixed, restart it.',
  'The bucket does not exist: create it, or correct aws_bucket_name',
  'S3 refused the credentials: correct aws_access_key_id and aws_secret_access_key',
  'The S3 endpoint could not be reached: check aws_s3_endpoint_url',
  "check ca_cert (the CA that signed the endpoint's certificate)",
  'file_backend is S3 but the runtime gave no',
  'is not one this trigger wrote.',
  'Could not read the saved state',
  'the image is incomplete',
  'must hold a JSON object.',
  '"configuration" must be a JSON schema object.',
  '"configuration.secrets" must be a list of field names.',
  '"arguments" must be a JSON schema object.',
  '"results" must be a JSON schema object.',
  'the image is broken, please report it',
  'Internal error, the trigger stopped working:',
  'cycles in a row failed and none went through for',
  'Internal error (a bug: please report it with this line):',
  'The trigger starts again in',
  'The state could not be saved:',
  'What changed stays in the local copy; the next cycle saves it again.',
  'What was pushed before is recorded: once this is',
  // Errors: the next cycle retries
  'Reading MISP failed after',
  'MISP kept answering 429 (rate limit exceeded)',
  'the MISP server is',
  'did not answer in time',
  'could not be reached',
  'check that misp_url points to the MISP server itself',
  'paging stopped to avoid an',
  'Pushing to Sekoia.io failed:',
  'Sekoia.io answered',
  'the batch is not counted as pushed',
  'Sekoia.io rejected',
  'left out; every other IOC of',
  "The trigger's state failed",
  'The trigger keeps what it pushed in this file: check that the',
  'in the state file',
  'Could not create the data directory',
  'Could not open the state file',
  'create the trigger configuration again (a new one starts',
  "On Sekoia.io the folder is the platform's: restart the trigger",
  'Could not read the MISP version at start-up:',
  'Could not check the IOC Collection at start-up:',
  "The cycle's event could not be sent to Sekoia.io:",
  'was refused by Sekoia.io (',
  'could not be delivered to Sekoia.io (',
  'the platform kept failing',
  'the platform did not answer',
  "does not match the trigger's results schema",
  'Cannot serve',
  'the trigger runs on without it',
  // Reconciliation (docs/architecture.md#the-reconciliation-sweep)
  'Reconciliation: reading MISP failed after',
  'Nothing was revoked (a partial read would look like withdrawals)',
  'Reconciliation: Sekoia.io failed:',
  "Reconciliation: the trigger's state failed:",
  'The reconciliation failed:',
  "The reconciliation's event could not be sent to Sekoia.io:",
  'MISP returned no IDS attribute for the',
  'more than half, which looks like MISP showing less than it holds',
  'Revocation budget reached:',
  'and stay in the IOC Collection until they expire: revoke_withdrawn is off.',
  // Warnings worth reading
  'skipped because',
  'refused a batch for its size with',
  'Fix these values in MISP, or clear their IDS flag (to_ids), to silence this warning.',
  'The trigger was stopped',
  'cycle reads that history once',
  'an error follows only if every',
  "Fetching the module's secrets failed (attempt",
  'Sending event "',
  'was not sent: the trigger is stopping.',
  'Cannot ship logs to Sekoia.io (',
  'older log lines were dropped while the logs endpoint could not be reached.',
  'is not a port number (0 to 65535): using',
  'Going on without',
  'is not one of debug, info, warning, error, critical: using info.',
  'The runtime gave no token or no secrets URL',
  'The trigger did not stop within',
  // Configurations carried over (docs/user-guide.md#configurations-carried-over-from-the-previous-trigger)
  "(the Python trigger's name) is read as publish_timestamp.",
  'Remove lookback_days from the trigger configuration.',
  'but this trigger always verifies TLS certificates: verify_ssl is ignored.',
  'this trigger does not know, ignored:',
  '(did you mean "',
  'empty, or a proxy address such as',
];

/** The trigger's own sources: not the emulators nor the demo, which are not in the image. */
function triggerSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return ['emulators', 'demo'].includes(entry.name) ? [] : triggerSources(full);
    return entry.name.endsWith('.ts') ? [fs.readFileSync(full, 'utf8')] : [];
  });
}

describe('the troubleshooting section of docs/user-guide.md', () => {
  const troubleshooting = section(readText('docs/user-guide.md'), 'Troubleshooting').replace(/\s+/g, ' ');
  const sources = triggerSources(path.join(ROOT, 'src'));

  it('has no fragment twice in the list', () => {
    expect(new Set(MESSAGE_FRAGMENTS).size).toBe(MESSAGE_FRAGMENTS.length);
  });

  it.each(MESSAGE_FRAGMENTS)('quotes %p, which the code can log', (fragment) => {
    expect({ inGuide: troubleshooting.includes(fragment) }).toEqual({ inGuide: true });
    expect({ inSources: sources.some((source) => source.includes(fragment)) }).toEqual({ inSources: true });
  });
});

describe('the events section of docs/user-guide.md', () => {
  const guide = readText('docs/user-guide.md');
  const start = guide.indexOf('\n### Events sent to the playbook\n');
  const events = guide.slice(start, guide.indexOf('\n### ', start + 5));
  const named = new Set(codeSpans(events));

  it('is found', () => expect(start).toBeGreaterThan(0));

  it.each(Object.keys(trigger.results.properties))('names the event field %s', (field) => {
    expect(named.has(field)).toBe(true);
  });
});

describe('markdown table reading', () => {
  it('splits on unescaped pipes and unescapes \\|', () => {
    expect(splitRow('| `ip-dst\\|port` | a | `["x\\|y"]` |')).toEqual(['`ip-dst|port`', 'a', '`["x|y"]`']);
  });

  it('fails on a marker without a table under it', () => {
    expect(() => tableAfterMarker('<!-- t -->\ntext\n', 't')).toThrow('No Markdown table');
    expect(() => tableAfterMarker('| a |\n|---|\n', 't')).toThrow('No <!-- t --> marker');
  });
});
