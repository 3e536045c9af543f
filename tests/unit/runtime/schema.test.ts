import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { createAjv } from '../../../src/runtime/schema';
import { loadManifest, loadTriggerFile } from '../../../src/runtime/module-files';

/** The module files' schemas, as the runtime compiles them (createAjv skips this check at start-up). */
function moduleSchemas(): Array<[string, Record<string, unknown>]> {
  const manifest = loadManifest();
  const trigger = loadTriggerFile('trigger_misp_ids_to_ioc.json');
  const schemas: Array<[string, Record<string, unknown>]> = [
    ['manifest.json configuration', manifest.configuration],
    ['trigger arguments', trigger.arguments],
  ];
  if (trigger.results) schemas.push(['trigger results', trigger.results]);
  return schemas;
}

/** Draft-07 meta-validation, as ajv does it by default, with the manifest's own `secrets` keyword. */
function checkingAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, strictTypes: false });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'secrets', schemaType: 'array' });
  return ajv;
}

describe('the module files’ schemas', () => {
  it.each(moduleSchemas())('%s is a valid draft-07 schema', (_where, schema) => {
    const ajv = checkingAjv();
    const { $schema: _ignored, ...rest } = schema;
    expect(ajv.validateSchema(rest)).toBe(true);
    expect(ajv.errors ?? null).toBeNull();
  });

  it('would catch a broken schema (the check the runtime no longer makes at start-up)', () => {
    expect(checkingAjv().validateSchema({ type: 'object', properties: { a: { type: 'nonsense' } } })).toBe(
      false,
    );
  });

  it('the runtime still refuses an unknown keyword (strict mode) and applies defaults', () => {
    expect(() => createAjv().compile({ type: 'object', propertiez: {} })).toThrow(/propertiez/);
    const validate = createAjv().compile({
      type: 'object',
      properties: { n: { type: 'integer', default: 3 } },
    });
    const value: Record<string, unknown> = {};
    expect(validate(value)).toBe(true);
    expect(value).toEqual({ n: 3 });
  });
});
