import {
  DEFAULT_TYPE_MIX,
  SUPPORTED_TYPES,
  UNSUPPORTED_TYPES,
  generateEvents,
  type MispAttributeJson,
} from '../../../tools/emulators/misp';

const NOW = 1_750_000_000;

function attributesOf(events: ReturnType<typeof generateEvents>): MispAttributeJson[] {
  const out: MispAttributeJson[] = [];
  for (const { Event } of events) {
    out.push(...(Event.Attribute ?? []));
    for (const object of Event.Object ?? []) out.push(...(object.Attribute ?? []));
  }
  return out;
}

describe('generateEvents', () => {
  it('is deterministic from the seed, and another seed gives other data', () => {
    const a = [...generateEvents({ seed: 3, attributes: 2000, now: NOW })];
    const b = [...generateEvents({ seed: 3, attributes: 2000, now: NOW })];
    const c = [...generateEvents({ seed: 4, attributes: 2000, now: NOW })];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('produces exactly the attributes asked for, in events of 100 to 500, with unique increasing ids', () => {
    const events = [...generateEvents({ seed: 1, attributes: 20_000, now: NOW })];
    const attributes = attributesOf(events.values() as ReturnType<typeof generateEvents>);
    expect(attributes).toHaveLength(20_000);
    const sizes = events.map(
      (e) =>
        (e.Event.Attribute?.length ?? 0) +
        (e.Event.Object ?? []).reduce((n, o) => n + (o.Attribute?.length ?? 0), 0),
    );
    expect(sizes.slice(0, -1).every((n) => n >= 100 && n <= 500)).toBe(true);
    expect(attributes.map((a) => Number(a.id))).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1));
  });

  it('holds every supported and unsupported type, roughly in the mix asked for', () => {
    const attributes = attributesOf(generateEvents({ seed: 2, attributes: 50_000, now: NOW }));
    const counts = new Map<string, number>();
    for (const a of attributes) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
    for (const type of [...SUPPORTED_TYPES, ...UNSUPPORTED_TYPES])
      expect(counts.get(type) ?? 0).toBeGreaterThan(0);
    const total = Object.values(DEFAULT_TYPE_MIX).reduce((s, w) => s + w, 0);
    const ipDstShare = (counts.get('ip-dst') ?? 0) / attributes.length;
    expect(ipDstShare).toBeGreaterThan((DEFAULT_TYPE_MIX['ip-dst'] / total) * 0.8);
    expect(ipDstShare).toBeLessThan((DEFAULT_TYPE_MIX['ip-dst'] / total) * 1.2);
  });

  it('follows a custom type mix', () => {
    const attributes = attributesOf(
      generateEvents({ seed: 2, attributes: 1000, now: NOW, typeMix: { md5: 1, url: 1 } }),
    );
    expect(new Set(attributes.map((a) => a.type))).toEqual(new Set(['md5', 'url']));
    expect(() => [...generateEvents({ attributes: 10, typeMix: { md5: 0 } })]).toThrow('typeMix');
  });

  it('has the mess of real data: non-IDS, IPv6, CIDR, spaced composites, upper-case hashes, duplicates, junk, tags', () => {
    const events = [...generateEvents({ seed: 5, attributes: 50_000, now: NOW })];
    const attributes = attributesOf(events.values() as ReturnType<typeof generateEvents>);
    const some = (test: (a: MispAttributeJson) => boolean): boolean => attributes.some(test);
    const nonIds = attributes.filter((a) => a.to_ids === false).length / attributes.length;
    expect(nonIds).toBeGreaterThan(0.1);
    expect(nonIds).toBeLessThan(0.2);
    expect(some((a) => a.type.startsWith('ip-') && a.value.includes(':'))).toBe(true);
    expect(some((a) => a.type.startsWith('ip-') && /\/\d+$/.test(a.value))).toBe(true);
    expect(some((a) => a.type.includes('|') && a.value.includes(' | '))).toBe(true);
    expect(some((a) => a.type === 'sha256' && /^[0-9A-F]{64}$/.test(a.value))).toBe(true);
    expect(some((a) => a.type === 'md5' && a.value.length !== 32)).toBe(true);
    expect(some((a) => a.deleted === true)).toBe(true);
    expect(some((a) => (a.Tag?.length ?? 0) > 0)).toBe(true);
    expect(some((a) => a.object_id !== '0')).toBe(true);
    const values = attributes.map((a) => a.value);
    expect(new Set(values).size).toBeLessThan(values.length * 0.97);
    const tlp = new Set(events.flatMap((e) => (e.Event.Tag ?? []).map((t) => t.name)));
    expect(tlp).toEqual(new Set(['tlp:white', 'tlp:green', 'tlp:amber', 'tlp:red']));
  });

  it('spreads publish times over the window before now, and leaves some events unpublished', () => {
    const events = [...generateEvents({ seed: 9, attributes: 60_000, now: NOW, windowSeconds: 86400 })];
    const published = events.filter((e) => e.Event.published);
    expect(published.length).toBeLessThan(events.length);
    for (const e of published) {
      expect(Number(e.Event.publish_timestamp)).toBeGreaterThan(NOW - 86400);
      expect(Number(e.Event.publish_timestamp)).toBeLessThanOrEqual(NOW);
    }
    expect(events.filter((e) => !e.Event.published).every((e) => e.Event.publish_timestamp === '0')).toBe(
      true,
    );
  });
});
