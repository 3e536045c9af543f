import { sourceOfAttribute } from '../../../src/pipeline/source';

describe('sourceOfAttribute', () => {
  it("takes the attribute's uuid and its event id (digits, as a string or a number)", () => {
    const uuid = '5e6b336e-5224-445f-b1b3-457dd7dd9f6d';
    expect(sourceOfAttribute({ uuid, event_id: '149' })).toEqual({ attributeUuid: uuid, eventId: '149' });
    expect(sourceOfAttribute({ uuid, event_id: 149 }, 1000)).toEqual({
      attributeUuid: uuid,
      eventId: '149',
      publishedAtMs: 1000,
    });
  });

  it('knows no source for an attribute without them, or with something else in their place', () => {
    expect(sourceOfAttribute(null)).toBeUndefined();
    expect(sourceOfAttribute({ event_id: '1' })).toBeUndefined();
    expect(sourceOfAttribute({ uuid: 'a\tb', event_id: '1' })).toBeUndefined();
    expect(sourceOfAttribute({ uuid: 'x'.repeat(65), event_id: '1' })).toBeUndefined();
    expect(sourceOfAttribute({ uuid: 'u-1', event_id: '1; DROP' })).toBeUndefined();
    expect(sourceOfAttribute({ uuid: 'u-1' })).toBeUndefined();
  });
});
