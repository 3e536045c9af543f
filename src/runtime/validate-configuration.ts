import type Ajv from 'ajv';
import { ConfigurationError } from '../errors';
import { ConfigurationPlace, ConfigurationProblem, describeProblems } from './config-problems';
import type { Manifest, TriggerFile } from './module-files';
import { readAsMeant, withOptional } from './lenient-values';
import { compileSchema, deepFreeze } from './schema';
import { unknownFieldsWarning } from './unknown-fields';

export interface ConfigurationsToValidate {
  ajv: Ajv;
  manifest: Manifest;
  triggerFile: TriggerFile;
  /** The module configuration with the secrets already merged in. */
  moduleConfiguration: Record<string, unknown>;
  triggerConfiguration: Record<string, unknown>;
  /** Required account fields this run goes without (a dry run pushes nothing, so needs no key). */
  optionalAccountFields?: readonly string[];
}

export interface ValidConfigurations<ModuleConfiguration, TriggerConfiguration> {
  moduleConfiguration: Readonly<ModuleConfiguration>;
  triggerConfiguration: Readonly<TriggerConfiguration>;
  /** One line per form holding fields it does not know (they are ignored): to log as warnings. */
  warnings: string[];
}

function check(
  ajv: Ajv,
  schema: Record<string, unknown>,
  value: Record<string, unknown>,
  place: ConfigurationPlace,
  secretFields: readonly string[],
): { value: Record<string, unknown>; problems: ConfigurationProblem[] } {
  const where = place === 'account' ? 'manifest.json "configuration"' : 'the trigger file "arguments"';
  const validate = compileSchema(ajv, schema, where);
  // ajv writes the defaults into what it validates: work on a copy (readAsMeant makes one).
  const copy = structuredClone(readAsMeant(value, schema));
  if (validate(copy)) return { value: copy, problems: [] };
  return { value: copy, problems: describeProblems(validate.errors ?? [], { place, schema, secretFields }) };
}

/**
 * Validates both configurations against the module files' own schemas, read as meant (empty
 * optional fields absent, digit strings for integers), with their defaults applied, and freezes
 * them. Throws one ConfigurationError listing every problem of both.
 */
export function validateConfigurations<ModuleConfiguration, TriggerConfiguration>(
  input: ConfigurationsToValidate,
): ValidConfigurations<ModuleConfiguration, TriggerConfiguration> {
  const secretFields = input.manifest.configuration.secrets ?? [];
  const accountSchema = withOptional(input.manifest.configuration, input.optionalAccountFields ?? []);
  const triggerSchema = input.triggerFile.arguments;
  const module = check(input.ajv, accountSchema, input.moduleConfiguration, 'account', secretFields);
  const trigger = check(input.ajv, triggerSchema, input.triggerConfiguration, 'trigger', []);
  const warnings = [
    unknownFieldsWarning(input.moduleConfiguration, 'account', accountSchema, triggerSchema),
    unknownFieldsWarning(input.triggerConfiguration, 'trigger', triggerSchema, accountSchema),
  ].filter((warning): warning is string => warning !== undefined);
  const problems = [...module.problems, ...trigger.problems];
  if (problems.length > 0) {
    const list =
      problems.length === 1
        ? problems[0].message
        : problems.map((problem, index) => `(${index + 1}) ${problem.message}`).join(' ');
    throw new ConfigurationError(
      `Invalid configuration, the trigger cannot start (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${list}`,
      problems.map((problem) => problem.field),
    );
  }
  return {
    moduleConfiguration: deepFreeze(module.value) as Readonly<ModuleConfiguration>,
    triggerConfiguration: deepFreeze(trigger.value) as Readonly<TriggerConfiguration>,
    warnings,
  };
}
