import { ConfigurationError } from '../errors';
import { SEKOIA_REGION_APIS } from './regions';

/**
 * The account, as manifest.json `configuration` describes it. The runtime validates it with that
 * schema (defaults applied, secrets merged in) before the trigger sees it: no default is repeated here.
 */
export interface MispModuleConfiguration {
  /** Base URL of the MISP instance, e.g. https://misp.example.com. */
  misp_url: string;
  /** MISP authkey (secret). */
  misp_api_key: string;
  /** Sekoia.io API key with "View IOC collections" and "Manage IOC collections" (secret); required to push. */
  sekoia_api_key?: string;
  /** Proxy for MISP over http:// (secret); host:port means http://host:port. */
  http_proxy?: string;
  /** Proxy for MISP over https:// (secret); host:port means http://host:port. */
  https_proxy?: string;
  /** PEM CA certificate trusted for MISP in addition to the public CAs. */
  misp_ca_certificate?: string;
}

/**
 * The trigger's arguments, as trigger_misp_ids_to_ioc.json `arguments` describes them. Fields with a
 * `default` in the schema are always present after the runtime's validation.
 */
export interface MispTriggerConfiguration {
  /** ioc-collection--<uuid> of the collection to fill. */
  ioc_collection_uuid: string;
  /** A key of SEKOIA_REGION_APIS. @default "FRA1 (app.sekoia.io)" (schema) */
  sekoia_region: string;
  /** A Sekoia.io API base URL the region list does not offer; wins over sekoia_region. */
  ioc_collection_server?: string;
  /** Days the first run looks back; a number or a numeric string ("1"). @default 1 (schema) */
  publish_timestamp: number | string;
  /** Seconds between two polls. @default 300 (schema) */
  sleep_time: number;
  /** MISP attribute types to push. @default the seed's six and their composite forms (schema) */
  attribute_types: string[];
  /** Let MISP drop values on its warninglists. @default true (schema) */
  enforce_warninglist: boolean;
  /** Days an IOC stays valid in Sekoia.io (valid_until); absent: Sekoia.io applies its defaults per type. */
  ioc_validity_days?: number;
  /** Only attributes carrying one of these tags. */
  include_tags?: string[];
  /** Never attributes carrying one of these tags. */
  exclude_tags?: string[];
  /** Hours between two reconciliation sweeps; 0: never. @default 24 (schema) */
  reconcile_every_hours: number;
  /** Let the sweep revoke IOCs this trigger pushed that MISP withdrew. @default false (schema) */
  revoke_withdrawn: boolean;
  /** Describe each IOC with its MISP event, tags and link (more requests: docs/performance.md#which-import-and-what-it-costs). */
  ioc_context?: boolean;
}

/** Everything a cycle and the clients need, in the shape the code wants it. Frozen. */
export interface TriggerSettings {
  mispUrl: string;
  mispApiKey: string;
  /** Undefined only in a dry run. */
  sekoiaApiKey: string | undefined;
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  mispCaPem: string | undefined;
  sekoiaServer: string;
  collectionId: string;
  /** publish_timestamp as a number of days. */
  publishDays: number;
  sleepSeconds: number;
  attributeTypes: ReadonlySet<string>;
  enforceWarninglist: boolean;
  iocValidityDays: number | undefined;
  includeTags: readonly string[];
  excludeTags: readonly string[];
  /** Reconciliation sweep (docs/architecture.md#the-reconciliation-sweep): hours between two sweeps, 0 never; whether it revokes. */
  reconcileEveryHours: number;
  revokeWithdrawn: boolean;
  /** ioc_context: each import says where its IOCs come from (one request per event and type). */
  iocContext: boolean;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** A proxy as the Python trigger took it, host:port without a scheme, is an http:// proxy. */
export function proxyUrlOf(value: string | undefined): string | undefined {
  const proxy = nonEmpty(value);
  if (proxy === undefined || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(proxy)) return proxy;
  return `http://${proxy}`;
}

/** ioc_collection_server when set, else the API of sekoia_region. */
export function sekoiaServerOf(trigger: Readonly<MispTriggerConfiguration>): string {
  const custom = nonEmpty(trigger.ioc_collection_server);
  if (custom !== undefined) return custom;
  const api = SEKOIA_REGION_APIS[trigger.sekoia_region];
  if (api === undefined) {
    throw new ConfigurationError(
      `sekoia_region ${JSON.stringify(trigger.sekoia_region)} is not a Sekoia.io region: pick one of ` +
        `${Object.keys(SEKOIA_REGION_APIS).join(', ')} in the trigger configuration.`,
      ['sekoia_region'],
    );
  }
  return api;
}

/** publish_timestamp: 1 or "1" (the Python trigger took a string) -> 1. */
export function publishDaysOf(value: number | string): number {
  const days = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isInteger(days) || days < 1) {
    throw new ConfigurationError(
      `publish_timestamp must be a whole number of days from 1 to 365 (got ${JSON.stringify(value)}): ` +
        'fix it in the trigger configuration.',
      ['publish_timestamp'],
    );
  }
  return days;
}

/**
 * Turns the validated configurations into settings. sekoia_api_key is required by the account
 * form, but the runtime lets a dry run go without it: checked again here for direct callers.
 */
export function normaliseConfiguration(
  module: Readonly<MispModuleConfiguration>,
  trigger: Readonly<MispTriggerConfiguration>,
  options: { dryRun: boolean },
): Readonly<TriggerSettings> {
  const sekoiaApiKey = nonEmpty(module.sekoia_api_key);
  if (sekoiaApiKey === undefined && !options.dryRun) {
    throw new ConfigurationError(
      'sekoia_api_key is missing: the trigger cannot push IOCs without it. Add a Sekoia.io API key with the ' +
        'permissions "View IOC collections" and "Manage IOC collections" in the account form (field "Sekoia API Key").',
      ['sekoia_api_key'],
    );
  }
  return Object.freeze({
    mispUrl: module.misp_url.trim().replace(/\/+$/, ''),
    mispApiKey: module.misp_api_key,
    sekoiaApiKey,
    httpProxy: proxyUrlOf(module.http_proxy),
    httpsProxy: proxyUrlOf(module.https_proxy),
    mispCaPem: nonEmpty(module.misp_ca_certificate),
    sekoiaServer: sekoiaServerOf(trigger),
    collectionId: trigger.ioc_collection_uuid,
    publishDays: publishDaysOf(trigger.publish_timestamp),
    sleepSeconds: trigger.sleep_time,
    attributeTypes: new Set(trigger.attribute_types),
    enforceWarninglist: trigger.enforce_warninglist,
    iocValidityDays: trigger.ioc_validity_days,
    includeTags: trigger.include_tags ?? [],
    excludeTags: trigger.exclude_tags ?? [],
    reconcileEveryHours: trigger.reconcile_every_hours,
    revokeWithdrawn: trigger.revoke_withdrawn,
    iocContext: trigger.ioc_context ?? false,
  });
}
