import { openMispTarget, type MispTarget } from '../../helpers/misp-target';

/** Soft and hard deletes, and MISP's answers to ids it does not hold, on both targets. */
let target: MispTarget;

beforeAll(async () => {
  target = await openMispTarget();
});

afterAll(async () => {
  await target.close();
});

const idsOf = async (body: Record<string, unknown>): Promise<number[]> => {
  const answer = await target.rest.attributes(body);
  expect(answer.status).toBe(200);
  return answer.body.response.Attribute.map((attribute) => Number(attribute.id)).sort((a, b) => a - b);
};

describe('MISP contract: deletes', () => {
  it('a soft-deleted attribute is seen only with deleted: [0, 1] (flagged deleted); a hard-deleted one never', async () => {
    const { id, attributeIds } = await target.rest.addEvent({
      info: `${target.runId} deletes`,
      published: true,
      Attribute: ['a', 'b', 'c'].map((name) => ({
        type: 'domain',
        value: `${name}.${target.runId}.example`,
        to_ids: true,
      })),
    });
    const [kept, soft, hard] = attributeIds;
    await target.rest.deleteAttribute(soft);
    await target.rest.deleteAttribute(hard, { hard: true });
    expect(await idsOf({ eventid: id, published: [0, 1] })).toEqual([kept]);
    expect(await idsOf({ eventid: id, published: [0, 1], deleted: [0, 1] })).toEqual([kept, soft]);
    expect(await idsOf({ eventid: id, published: [0, 1], deleted: 1 })).toEqual([soft]);
    const seen = await target.rest.attributes({ eventid: id, published: [0, 1], deleted: 1 });
    expect(seen.body.response.Attribute[0]).toMatchObject({ id: String(soft), deleted: true });
    // A soft delete finds only attributes not deleted yet; a hard delete finds those too.
    expect((await target.rest.call('POST', `/attributes/delete/${soft}`)).status).toBe(404);
    await target.rest.deleteAttribute(soft, { hard: true });
    expect(await idsOf({ eventid: id, published: [0, 1], deleted: [0, 1] })).toEqual([kept]);
  });

  it('a deleted event is gone: from eventid look-ups, even with deleted: [0, 1], and from events/restSearch', async () => {
    const { id } = await target.rest.addEvent({
      info: `${target.runId} deleted event`,
      published: true,
      Attribute: [{ type: 'domain', value: `gone.${target.runId}.example`, to_ids: true }],
    });
    expect(await idsOf({ eventid: id })).toHaveLength(1);
    await target.rest.deleteEvent(id);
    expect(await idsOf({ eventid: id, published: [0, 1], deleted: [0, 1] })).toEqual([]);
    expect(await target.rest.event(id)).toBeUndefined();
    expect((await target.rest.call('POST', `/events/publish/${id}`)).status).toBe(404);
  });

  it('answers ids it does not hold as MISP 2.5.1 does', async () => {
    const missing = 2_000_000_000;
    const answers = await Promise.all(
      [
        `/events/publish/${missing}`,
        `/events/unpublish/${missing}`,
        `/events/delete/${missing}`,
        `/attributes/delete/${missing}`,
        `/attributes/edit/${missing}`,
        `/attributes/add/${missing}`,
      ].map((path) =>
        target.rest.call<{ message: string }>('POST', path, { type: 'domain', value: 'x.example' }),
      ),
    );
    expect(answers.map((answer) => [answer.status, answer.body.message])).toEqual([
      [404, 'Invalid event.'],
      [404, 'Invalid Event.'],
      [403, 'Could not delete Event'],
      [404, 'Invalid attribute'],
      [404, 'Invalid attribute'],
      [404, 'Invalid event'],
    ]);
  });
});

describe('MISP contract: hard delete spelled in the path', () => {
  it('/attributes/delete/ID/1 deletes hard, as seed.py asks', async () => {
    const { id, attributeIds } = await target.rest.addEvent({
      info: `${target.runId} path hard delete`,
      Attribute: [{ type: 'domain', value: `path-hard.${target.runId}.example`, to_ids: true }],
    });
    await target.rest.ok('POST', `/attributes/delete/${attributeIds[0]}/1`);
    expect(await idsOf({ eventid: id, published: [0, 1], deleted: [0, 1] })).toEqual([]);
  });
});

describe('MISP contract: one value twice in an event', () => {
  it('events/add keeps the first of two attributes with the same type and value; attributes/add refuses the second', async () => {
    const value = `twice.${target.runId}.example`;
    const { id, attributeIds } = await target.rest.addEvent({
      info: `${target.runId} twice`,
      Attribute: [
        { type: 'domain', value, to_ids: true },
        { type: 'domain', value, to_ids: false },
        { type: 'hostname', value, to_ids: true },
      ],
    });
    expect(attributeIds).toHaveLength(2);
    const again = await target.rest.call<{ message: string }>('POST', `/attributes/add/${id}`, {
      type: 'domain',
      value,
    });
    expect([again.status, again.body.message]).toEqual([403, 'Could not add Attribute']);
    await target.rest.deleteAttribute(attributeIds[0]);
    // Once the first is deleted, the value may come again.
    expect(await target.rest.addAttribute(id, { type: 'domain', value })).toBeGreaterThan(attributeIds[1]);
  });
});
