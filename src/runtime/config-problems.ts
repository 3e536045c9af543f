import type { ErrorObject } from 'ajv';

/** Where the user fixes a value: the module's account form or the trigger's configuration. */
export type ConfigurationPlace = 'account' | 'trigger';

const FIX_WHERE: Record<ConfigurationPlace, string> = {
  account: 'in the account form',
  trigger: 'in the trigger configuration',
};

/** One field at fault, in words a user can act on. */
export interface ConfigurationProblem {
  field: string;
  message: string;
}

export interface DescribeOptions {
  place: ConfigurationPlace;
  /** The schema validated against, for field titles. */
  schema: Record<string, unknown>;
  /** Fields whose values are never printed. */
  secretFields: readonly string[];
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'empty (null)',
};

const FORMAT_WORDS: Record<string, string> = {
  'date-time': 'a date and time in ISO 8601 form, e.g. 2026-11-28T08:00:00Z',
  date: 'a date such as 2026-11-28',
  uri: 'a full URL such as https://host.example.com',
  url: 'a full URL such as https://host.example.com',
  email: 'an e-mail address',
  hostname: 'a host name',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  uuid: 'a UUID',
};

function fieldPath(error: ErrorObject): string {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') parts.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') parts.push(String(error.params.additionalProperty));
  return parts.reduce(
    (path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part),
    '',
  );
}

function topField(path: string): string {
  return path.split(/[.[]/)[0];
}

function showValue(value: unknown, hidden: boolean): string {
  if (hidden) return '(value hidden)';
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

const HEX_CLASS = /^\[(?:0-9a-f|a-f0-9|0-9a-fA-F|0-9A-Fa-f)\]\{(\d+)\}/;
const LITERAL = /^(?:\\([.\-/:_@])|([A-Za-z0-9_:/@-]))/;

/**
 * A template for patterns made of literal characters and fixed-length hex digits, the shape of
 * most identifiers: ^ioc-collection--[0-9a-f]{8}-...$ reads ioc-collection--xxxxxxxx-... .
 */
export function patternTemplate(pattern: string): string | undefined {
  const body = /^\^(.+)\$$/.exec(pattern)?.[1];
  if (!body) return undefined;
  let rest = body;
  let template = '';
  let hex = false;
  while (rest !== '') {
    const hexMatch = HEX_CLASS.exec(rest);
    if (hexMatch) {
      template += 'x'.repeat(Number(hexMatch[1]));
      hex = true;
      rest = rest.slice(hexMatch[0].length);
      continue;
    }
    const literal = LITERAL.exec(rest);
    if (!literal) return undefined;
    template += literal[1] ?? literal[2];
    rest = rest.slice(literal[0].length);
  }
  return hex ? `${template} (each x a hexadecimal digit, 0-9 or a-f)` : template;
}

/** A pattern in words: known shapes first, else the field's own description, else the pattern. */
function describePattern(pattern: string, parentSchema: Record<string, unknown> | undefined): string {
  if (pattern.startsWith('^(?:(?:https?://|(?!')) {
    return 'empty, or a proxy address such as http://proxy.example.com:3128 or proxy.example.com:3128 (no other scheme)';
  }
  if (/^\^\(https\?:\/\//.test(pattern) && pattern.endsWith(')?$')) {
    return 'empty, or a URL starting with http:// or https://';
  }
  if (pattern.startsWith('^https?://')) return 'a URL starting with http:// or https://';
  if (pattern.startsWith('^https://')) return 'a URL starting with https://';
  const template = patternTemplate(pattern);
  if (template) return `of the form ${template}`;
  const description = parentSchema?.description;
  if (typeof description === 'string') return `as the form describes it: "${description.replace(/\.$/, '')}"`;
  return `text matching the pattern ${pattern}`;
}

/** What one ajv error expects, as the end of "it must be ...". */
function expectation(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  switch (error.keyword) {
    case 'type': {
      const types = String(params.type).split(',');
      return types.map((type) => TYPE_WORDS[type] ?? type).join(' or ');
    }
    case 'minimum':
      return `at least ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `more than ${String(params.limit)}`;
    case 'maximum':
      return `at most ${String(params.limit)}`;
    case 'exclusiveMaximum':
      return `less than ${String(params.limit)}`;
    case 'minLength':
      return Number(params.limit) === 1
        ? 'not empty'
        : `at least ${plural(Number(params.limit), 'character')} long`;
    case 'maxLength':
      return `at most ${plural(Number(params.limit), 'character')} long`;
    case 'pattern':
      return describePattern(String(params.pattern), parent);
    case 'enum':
      return `one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    case 'const':
      return `exactly ${JSON.stringify(params.allowedValue)}`;
    case 'format':
      return FORMAT_WORDS[String(params.format)] ?? `in the ${String(params.format)} format`;
    case 'minItems':
      return `a list of at least ${plural(Number(params.limit), 'item')}`;
    case 'maxItems':
      return `a list of at most ${plural(Number(params.limit), 'item')}`;
    case 'uniqueItems':
      return `a list without repeats (items ${Math.min(Number(params.i), Number(params.j))} and ${Math.max(Number(params.i), Number(params.j))} are the same)`;
    case 'multipleOf':
      return `a multiple of ${String(params.multipleOf)}`;
    default:
      return `valid (${error.message ?? error.keyword})`;
  }
}

function labelOf(path: string, schema: Record<string, unknown>): string {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  const title = properties?.[path]?.title;
  return typeof title === 'string' ? `${path} ("${title}")` : path;
}

/**
 * Turns ajv's errors into one problem per field, each naming the field, its value (never a
 * secret's) and what is expected, and saying where to fix it.
 */
export function describeProblems(
  errors: readonly ErrorObject[],
  options: DescribeOptions,
): ConfigurationProblem[] {
  const byField = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const path = fieldPath(error);
    byField.set(path, [...(byField.get(path) ?? []), error]);
  }
  const where = FIX_WHERE[options.place];
  const problems: ConfigurationProblem[] = [];
  for (const [path, fieldErrors] of byField) {
    const label = path === '' ? `The ${options.place} configuration` : labelOf(path, options.schema);
    const first = fieldErrors[0];
    let message: string;
    if (first.keyword === 'required') {
      message = `${label} is missing; it is required. Set it ${where}.`;
    } else if (first.keyword === 'additionalProperties') {
      message = `${label} is not a known field. Remove it ${where}.`;
    } else {
      const hidden = options.secretFields.includes(topField(path));
      const expected = [...new Set(fieldErrors.map(expectation))].join(', and ');
      message = `${label} is ${showValue(first.data, hidden)}; it must be ${expected}. Fix it ${where}.`;
    }
    problems.push({ field: path || options.place, message });
  }
  return problems;
}
