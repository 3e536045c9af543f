import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ConfigurationError, messageOf } from '../errors';
import type { JsonSchema } from './module-files';

/**
 * One ajv setup for the module files' schemas: draft-07, every error at once, defaults from the
 * schemas. `secrets` is the manifest's own keyword (it lists the secret fields), not a rule.
 * Compiling is most of a start-up's validation cost: the schemas are checked against draft-07 by
 * the tests (tests/unit/runtime/schema.test.ts), not at each start, and the validators' code is
 * not optimised (they run twice a start); together about half the compile time.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    strict: true,
    // `type: ["integer", "string"]` with `minimum` and `pattern` is deliberate in our schemas.
    allowUnionTypes: true,
    strictTypes: false,
    validateSchema: false,
    code: { optimize: false },
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'secrets', schemaType: 'array' });
  return ajv;
}

/** Compiles a schema from the module files; a broken schema is a defect of the image. */
export function compileSchema(ajv: Ajv, schema: JsonSchema, where: string): ValidateFunction {
  const { $schema: _ignored, ...rest } = schema;
  try {
    return ajv.compile(rest);
  } catch (error) {
    throw new ConfigurationError(
      `The schema in ${where} cannot be used (${messageOf(error)}): the image is broken, please report it.`,
    );
  }
}

/** Freezes an object and everything under it, so nobody changes the configuration after validation. */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
