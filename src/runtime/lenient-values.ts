/**
 * What the platform and older configurations send that the schema alone would refuse, read as
 * the user meant it, before validation (docs/apis.md#command-and-configuration-values).
 */

interface PropertySchema {
  type?: string | string[];
}

/** A form's JSON schema, as the module files hold it. */
export type FormSchema = Record<string, unknown>;

/** The form's fields and their schemas. */
export function propertiesOf(schema: FormSchema): Record<string, PropertySchema> {
  return (schema.properties as Record<string, PropertySchema> | undefined) ?? {};
}

function requiredOf(schema: FormSchema): string[] {
  return Array.isArray(schema.required) ? (schema.required as string[]) : [];
}

/** null, or text that is empty once trimmed: what a field left empty arrives as. */
export function isEmptyValue(value: unknown): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}

function typesOf(property: PropertySchema | undefined): string[] {
  return ([] as string[]).concat(property?.type ?? []);
}

const DIGITS = /^\s*[+-]?\d+\s*$/;

/**
 * A copy of `value` where:
 * - a field of the form given as null, or as empty text when it is optional, is absent (its
 *   default applies); a required one given as null reads as missing, and empty text for a required
 *   field stays for the schema to refuse;
 * - an integer field given as a string of digits ("600", as the Python trigger took it) is that number.
 * Fields the form does not know are left as they are.
 */
export function readAsMeant(
  value: Readonly<Record<string, unknown>>,
  schema: FormSchema,
): Record<string, unknown> {
  const properties = propertiesOf(schema);
  const required = new Set(requiredOf(schema));
  const out: Record<string, unknown> = {};
  for (const [field, given] of Object.entries(value)) {
    const property = properties[field];
    if (property === undefined) {
      out[field] = given;
      continue;
    }
    if (given === null || (isEmptyValue(given) && !required.has(field))) continue;
    const types = typesOf(property);
    if (
      typeof given === 'string' &&
      DIGITS.test(given) &&
      types.includes('integer') &&
      !types.includes('string')
    ) {
      out[field] = Number(given.trim());
    } else {
      out[field] = given;
    }
  }
  return out;
}

/** The schema with `optional` taken out of its required fields (a dry run needs no key to push with). */
export function withOptional<T extends FormSchema>(schema: T, optional: readonly string[]): T {
  if (optional.length === 0 || !Array.isArray(schema.required)) return schema;
  return { ...schema, required: requiredOf(schema).filter((field) => !optional.includes(field)) };
}
