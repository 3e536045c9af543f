import { isEmptyValue } from '../runtime/lenient-values';
import type { CarriedOverConfigurations, RawConfigurations } from '../runtime/types';

type Notice = CarriedOverConfigurations['notices'][number];

/** The Python trigger (2.8) named publish_timestamp so. */
const LOOKBACK_DAYS = 'lookback_days';
const VERIFY_SSL = 'verify_ssl';

/** verify_ssl as the Python trigger read it: off for false, and for "false", 0 or "0" meant so. */
function isOff(value: unknown): boolean {
  return value === false || value === 0 || (typeof value === 'string' && /^\s*(false|0|no)\s*$/i.test(value));
}

/** lookback_days -> publish_timestamp, unless publish_timestamp is set too (then it wins). */
function renameLookbackDays(trigger: Record<string, unknown>, notices: Notice[]): void {
  if (!(LOOKBACK_DAYS in trigger)) return;
  const value = trigger[LOOKBACK_DAYS];
  delete trigger[LOOKBACK_DAYS];
  if (isEmptyValue(value)) return;
  if (trigger.publish_timestamp === undefined || isEmptyValue(trigger.publish_timestamp)) {
    trigger.publish_timestamp = value;
    notices.push({
      level: 'info',
      message: `lookback_days ${JSON.stringify(value)} (the Python trigger's name) is read as publish_timestamp.`,
    });
    return;
  }
  notices.push({
    level: 'warning',
    message:
      `The trigger configuration sets both publish_timestamp (${JSON.stringify(trigger.publish_timestamp)}) and ` +
      `lookback_days (${JSON.stringify(value)}), the Python trigger's name for it: publish_timestamp is used. ` +
      'Remove lookback_days from the trigger configuration.',
  });
}

/** verify_ssl is dropped: TLS is always verified; when it asked for no verification, say what to do instead. */
function dropVerifySsl(configuration: Record<string, unknown>, notices: Notice[]): void {
  if (!(VERIFY_SSL in configuration)) return;
  const value = configuration[VERIFY_SSL];
  delete configuration[VERIFY_SSL];
  if (!isOff(value)) return;
  notices.push({
    level: 'warning',
    message:
      'verify_ssl is false, but this trigger always verifies TLS certificates: verify_ssl is ignored. If MISP ' +
      'has a self-signed or private certificate, paste its CA certificate (PEM) in "MISP CA Certificate (PEM)" ' +
      '(misp_ca_certificate) in the account form.',
  });
}

/**
 * Configurations written for the Python trigger run unchanged: lookback_days is publish_timestamp,
 * and verify_ssl is dropped (with a warning when it was false). Proxies without a scheme are read
 * by normaliseConfiguration; digit strings for integer fields and empty optional fields by the runtime.
 */
export function carryOverConfiguration(configurations: RawConfigurations): CarriedOverConfigurations {
  const module = { ...configurations.module };
  const trigger = { ...configurations.trigger };
  const notices: Notice[] = [];
  renameLookbackDays(trigger, notices);
  dropVerifySsl(trigger, notices);
  dropVerifySsl(module, notices);
  return { module, trigger, notices };
}
