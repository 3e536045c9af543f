import { eventIdOf, MAX_DESCRIPTION_CHARS, sourceDescription } from '../../../src/pipeline/context';

const MISP = 'https://misp.example.com';
const raw = (fields: Record<string, unknown> = {}) => ({
  event_id: '1234',
  type: 'ip-dst',
  value: '192.0.2.1',
  Event: { id: '1234', info: 'APT  campaign\nwave 2' },
  Tag: [{ name: 'tlp:amber' }, { name: 'apt28' }, { nope: 1 }],
  ...fields,
});

describe('sourceDescription', () => {
  it("says the event, its info on one line, the attribute's tags and the event's page", () => {
    expect(sourceDescription(raw(), MISP)).toBe(
      'MISP event 1234 (https://misp.example.com/events/view/1234): APT campaign wave 2. Tags: tlp:amber, apt28',
    );
  });

  it('leaves out what is missing, and is undefined without an event id', () => {
    expect(sourceDescription(raw({ Event: { id: '9' }, event_id: undefined, Tag: undefined }), MISP)).toBe(
      'MISP event 9 (https://misp.example.com/events/view/9)',
    );
    expect(sourceDescription(raw({ event_id: undefined, Event: undefined }), MISP)).toBeUndefined();
    expect(sourceDescription(raw({ event_id: '../x', Event: undefined }), MISP)).toBeUndefined();
    expect(sourceDescription('not an object', MISP)).toBeUndefined();
    expect(eventIdOf({ event_id: 12 })).toBe('12');
  });

  it(`is cut to ${MAX_DESCRIPTION_CHARS} characters, the link first`, () => {
    const long = sourceDescription(raw({ Event: { id: '1234', info: 'x'.repeat(1000) } }), MISP) as string;
    expect(long).toHaveLength(MAX_DESCRIPTION_CHARS);
    expect(long.startsWith('MISP event 1234 (https://misp.example.com/events/view/1234): xxx')).toBe(true);
    expect(long.endsWith('...')).toBe(true);
  });
});
