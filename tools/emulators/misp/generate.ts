import { SUPPORTED_ATTRIBUTE_TYPES } from '../../../src/pipeline/mapping';
import { mulberry32, pick, randomInt, randomUuid, type Random } from '../prng';
import { categoryOf, makeJunk, makeValue, type ValueShares } from './value-makers';
import type { MispAttributeJson, MispEventJson, MispObjectJson, MispTagJson } from './wire-types';

/** The MISP types the trigger maps to Sekoia formats (the schema's attribute_types enum). */
export const SUPPORTED_TYPES = SUPPORTED_ATTRIBUTE_TYPES;

/** Types real events hold that the trigger skips. */
export const UNSUPPORTED_TYPES = ['filename', 'text', 'yara', 'AS', 'link'] as const;

/** Relative weights of the types generated (any MISP type; unknown ones get a text value). */
export type TypeMix = Readonly<Record<string, number>>;

/** Roughly the shape of an OSINT feed: network indicators and hashes first. */
export const DEFAULT_TYPE_MIX: TypeMix = {
  'ip-dst': 18,
  'ip-src': 6,
  'ip-dst|port': 3,
  'ip-src|port': 1,
  domain: 12,
  hostname: 6,
  'domain|ip': 2,
  url: 10,
  md5: 8,
  sha1: 5,
  sha256: 10,
  sha512: 1,
  'filename|md5': 2,
  'filename|sha1': 1,
  'filename|sha256': 2,
  'email-src': 2,
  'email-dst': 1,
  filename: 3,
  text: 3,
  yara: 1,
  AS: 1,
  link: 2,
};

const TLP_TAGS = ['tlp:white', 'tlp:green', 'tlp:amber', 'tlp:red'];
const TLP_COLOURS: Record<string, string> = {
  'tlp:white': '#ffffff',
  'tlp:green': '#339900',
  'tlp:amber': '#ffc000',
  'tlp:red': '#cc0033',
};

export interface GenerateOptions {
  /** Total attributes across all events. */
  attributes: number;
  /** PRNG seed: the same options give the same events. @default 1 */
  seed?: number;
  /** Relative type weights. @default DEFAULT_TYPE_MIX */
  typeMix?: TypeMix;
  /** "Now", epoch seconds: publish times fall in [now - windowSeconds, now]. @default the current time */
  now?: number;
  /** Spread of publish times, seconds. @default 30 days */
  windowSeconds?: number;
  /** Attributes per event, [min, max]. @default [100, 500] */
  attributesPerEvent?: readonly [number, number];
  /** Share of attributes with to_ids false. @default 0.15 */
  nonIdsShare?: number;
  /** Share of events not published (publish_timestamp "0"). @default 0.05 */
  unpublishedShare?: number;
  /** Share of soft-deleted attributes. @default 0.01 */
  deletedShare?: number;
  /** Share of junk values (wrong hash length, bad address, url "x.y.86"). @default 0.005 */
  junkShare?: number;
  /** Share of values repeated from earlier events. @default 0.05 */
  duplicateShare?: number;
  /** Share of IP values in IPv6 / CIDR form. @default 0.1 / 0.02 */
  ipv6Share?: number;
  cidrShare?: number;
  /** Share of upper-case hashes, and of composite values with spaces around "|". @default 0.05 / 0.2 */
  upperCaseHashShare?: number;
  spacedCompositeShare?: number;
  /** Share of attributes held inside objects. @default 0.1 */
  objectShare?: number;
  /** Share of attributes carrying their own tlp tag. @default 0.02 */
  attributeTagShare?: number;
  /** First event / attribute / object id. @default 1 */
  firstEventId?: number;
  firstAttributeId?: number;
}

/** Recent values per type, so that some values come back in later events (as in real feeds). */
class DuplicatePool {
  private readonly pools = new Map<string, string[]>();
  remember(type: string, value: string, random: Random): void {
    let pool = this.pools.get(type);
    if (!pool) this.pools.set(type, (pool = []));
    if (pool.length < 512) pool.push(value);
    else pool[Math.floor(random() * pool.length)] = value;
  }
  draw(type: string, random: Random): string | undefined {
    const pool = this.pools.get(type);
    return pool && pool.length > 0 ? pick(random, pool) : undefined;
  }
}

function typePicker(mix: TypeMix): (random: Random) => string {
  const entries = Object.entries(mix).filter(([, weight]) => weight > 0);
  if (entries.length === 0) throw new Error('typeMix must give at least one type a weight above 0');
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  const cumulative = entries.map(([type], index) => ({
    type,
    upTo: entries.slice(0, index + 1).reduce((sum, [, weight]) => sum + weight, 0) / total,
  }));
  return (random) => {
    const draw = random();
    return (cumulative.find((entry) => draw < entry.upTo) ?? cumulative[cumulative.length - 1]).type;
  };
}

function tag(name: string): MispTagJson {
  return { name, colour: TLP_COLOURS[name] ?? '#0088cc' };
}

/** The options with their defaults, and what carries over from one event to the next. */
interface Generation {
  readonly options: GenerateOptions;
  readonly random: Random;
  readonly pickType: (random: Random) => string;
  readonly now: number;
  readonly windowSeconds: number;
  readonly shares: ValueShares;
  readonly duplicates: DuplicatePool;
  nextAttributeId: number;
  nextObjectId: number;
}

function startGeneration(options: GenerateOptions): Generation {
  return {
    options,
    random: mulberry32(options.seed ?? 1),
    pickType: typePicker(options.typeMix ?? DEFAULT_TYPE_MIX),
    now: options.now ?? Math.floor(Date.now() / 1000),
    windowSeconds: options.windowSeconds ?? 30 * 86400,
    shares: {
      ipv6: options.ipv6Share ?? 0.1,
      cidr: options.cidrShare ?? 0.02,
      upperCaseHash: options.upperCaseHashShare ?? 0.05,
      spacedComposite: options.spacedCompositeShare ?? 0.2,
    },
    duplicates: new DuplicatePool(),
    nextAttributeId: options.firstAttributeId ?? 1,
    nextObjectId: 1,
  };
}

/**
 * Realistic MISP events, lazily, one at a time (a million attributes never sit in memory as JSON
 * objects): `[...generateEvents(o)]` for a small set, `store.addEvents(generateEvents(o))` for a big one.
 */
export function* generateEvents(options: GenerateOptions): Generator<{ Event: MispEventJson }> {
  const generation = startGeneration(options);
  const [minPerEvent, maxPerEvent] = options.attributesPerEvent ?? [100, 500];
  let eventId = options.firstEventId ?? 1;
  let remaining = options.attributes;
  while (remaining > 0) {
    const count = Math.min(remaining, randomInt(generation.random, minPerEvent, maxPerEvent));
    remaining -= count;
    yield { Event: makeEvent(generation, eventId, count) };
    eventId += 1;
  }
}

/** One event of `count` attributes, some of them in objects. */
function makeEvent(generation: Generation, eventId: number, count: number): MispEventJson {
  const { options, random } = generation;
  const published = random() >= (options.unpublishedShare ?? 0.05);
  const publishTimestamp = generation.now - Math.floor(random() * generation.windowSeconds);
  const attributes = Array.from({ length: count }, () =>
    makeAttribute(generation, eventId, publishTimestamp),
  );
  const lastChange = attributes.reduce(
    (latest, attribute) => Math.max(latest, Number(attribute.timestamp)),
    0,
  );
  const { loose, objects } = groupIntoObjects(
    attributes,
    options.objectShare ?? 0.1,
    () => generation.nextObjectId++,
    random,
  );
  // Ids in the order a loader reads them (event level, then objects): rows stay in id order.
  for (const attribute of loose) attribute.id = String(generation.nextAttributeId++);
  for (const object of objects)
    for (const attribute of object.Attribute ?? []) attribute.id = String(generation.nextAttributeId++);
  return {
    id: String(eventId),
    uuid: randomUuid(random),
    info: `Generated campaign ${eventId}: ${pick(random, ['phishing wave', 'C2 infrastructure', 'loader drop', 'ransomware precursor'])}`,
    org_id: '1',
    orgc_id: String(randomInt(random, 1, 5)),
    distribution: '1',
    published,
    publish_timestamp: published ? String(publishTimestamp) : '0',
    timestamp: String(Math.max(lastChange, published ? publishTimestamp : lastChange)),
    date: new Date(publishTimestamp * 1000).toISOString().slice(0, 10),
    Tag: [tag(pick(random, TLP_TAGS))],
    Attribute: loose,
    Object: objects,
  };
}

/** A value of `type`: now and then junk, or one seen in an earlier event. */
function drawValue(generation: Generation, type: string): string {
  const { options, random, shares, duplicates } = generation;
  let value: string;
  if (random() < (options.junkShare ?? 0.005)) value = makeJunk(random, type);
  else if (random() < (options.duplicateShare ?? 0.05))
    value = duplicates.draw(type, random) ?? makeValue(random, type, shares);
  else value = makeValue(random, type, shares);
  duplicates.remember(type, value, random);
  return value;
}

/** One loose attribute of event `eventId`, changed up to three days before its publication. */
function makeAttribute(generation: Generation, eventId: number, publishTimestamp: number): MispAttributeJson {
  const { options, random } = generation;
  const type = generation.pickType(random);
  const value = drawValue(generation, type);
  const timestamp = publishTimestamp - Math.floor(random() * 3 * 86400);
  const attribute: MispAttributeJson = {
    event_id: String(eventId),
    object_id: '0',
    object_relation: null,
    category: categoryOf(type),
    type,
    to_ids: random() >= (options.nonIdsShare ?? 0.15),
    uuid: randomUuid(random),
    timestamp: String(timestamp),
    distribution: '5',
    sharing_group_id: '0',
    comment: '',
    deleted: random() < (options.deletedShare ?? 0.01),
    disable_correlation: false,
    first_seen: null,
    last_seen: null,
    value,
  };
  if (random() < (options.attributeTagShare ?? 0.02)) attribute.Tag = [tag(pick(random, TLP_TAGS))];
  return attribute;
}

/** Moves a share of an event's attributes into small objects, as MISP's object templates do. */
function groupIntoObjects(
  attributes: MispAttributeJson[],
  share: number,
  nextObjectId: () => number,
  random: Random,
): { loose: MispAttributeJson[]; objects: MispObjectJson[] } {
  const loose: MispAttributeJson[] = [];
  const objects: MispObjectJson[] = [];
  let current: MispObjectJson | undefined;
  for (const attribute of attributes) {
    if (random() >= share) {
      loose.push(attribute);
      continue;
    }
    if (!current || (current.Attribute?.length ?? 0) >= 3) {
      current = { id: String(nextObjectId()), name: 'file', 'meta-category': 'file', Attribute: [] };
      objects.push(current);
    }
    attribute.object_id = String(current.id);
    attribute.object_relation = attribute.type;
    current.Attribute?.push(attribute);
  }
  return { loose, objects };
}
