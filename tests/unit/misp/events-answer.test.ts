import { parseEventsAnswer } from '../../../src/misp/events-answer';

describe('parseEventsAnswer', () => {
  it('reads events/restSearch metadata: ids and times as digit strings or numbers', () => {
    const answer = parseEventsAnswer({
      response: [
        {
          Event: {
            id: '12',
            uuid: 'u-12',
            published: true,
            publish_timestamp: '1700000000',
            timestamp: 1700000100,
            attribute_count: '42',
          },
        },
        { Event: { id: 13, published: '1', publish_timestamp: 5, timestamp: '6' } },
      ],
    });
    expect(answer).toEqual({
      ok: true,
      events: [
        {
          id: '12',
          uuid: 'u-12',
          published: true,
          publishTimestamp: 1700000000,
          timestamp: 1700000100,
          attributeCount: 42,
        },
        { id: '13', uuid: '', published: true, publishTimestamp: 5, timestamp: 6, attributeCount: Infinity },
      ],
    });
  });

  it('leaves out entries without a usable id, reads a bare list, refuses another shape naming it', () => {
    expect(parseEventsAnswer([{ Event: { id: 'x' } }, { id: '3' }])).toMatchObject({
      ok: true,
      events: [{ id: '3' }],
    });
    expect(parseEventsAnswer('{"response": []}')).toEqual({ ok: true, events: [] });
    const refused = parseEventsAnswer({ message: 'Not Found' });
    expect(refused).toMatchObject({ ok: false, problem: expect.stringContaining('response list of events') });
    expect(parseEventsAnswer('<html>login</html>')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not JSON'),
    });
  });
});
