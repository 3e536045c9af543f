import { openMispTarget, type MispTarget } from '../../helpers/misp-target';

/**
 * What an edit, a publish, an unpublish and a delete do to an event, the same calls against the
 * emulator (npm test) and a real MISP (npm run test:real-misp). Measured on MISP 2.5.1 first.
 */
let target: MispTarget;

beforeAll(async () => {
  target = await openMispTarget();
});

afterAll(async () => {
  await target.close();
});

async function publishedEvent(values: string[]): Promise<{ id: number; attributeIds: number[] }> {
  return target.rest.addEvent({
    info: `${target.runId} edits`,
    published: true,
    Attribute: values.map((value) => ({ type: 'domain', value, to_ids: true, category: 'Network activity' })),
  });
}

const state = async (id: number) => {
  const event = await target.rest.event(id);
  if (!event) throw new Error(`event ${id} not found`);
  return event;
};

describe(`MISP contract: edits, publish, unpublish (target from MISP_TEST_URL, else the emulator)`, () => {
  it('events/add with published: true publishes at once: publish_timestamp is the creation second', async () => {
    const before = target.nowSeconds();
    const { id } = await publishedEvent([`a.${target.runId}.example`]);
    const event = await state(id);
    expect(event.published).toBe(true);
    expect(event.publishTimestamp).toBeGreaterThanOrEqual(before);
    expect(event.timestamp).toBeGreaterThanOrEqual(before);
  });

  it.each([
    [
      'attributes/add',
      (id: number) =>
        target.rest.addAttribute(id, { type: 'domain', value: `b.${target.runId}.example`, to_ids: true }),
    ],
    [
      'attributes/edit to_ids false',
      (_id: number, attribute: number) => target.rest.editAttribute(attribute, { to_ids: false }),
    ],
    [
      'attributes/edit comment',
      (_id: number, attribute: number) => target.rest.editAttribute(attribute, { comment: 'changed' }),
    ],
    ['attributes/delete (soft)', (_id: number, attribute: number) => target.rest.deleteAttribute(attribute)],
    [
      'attributes/delete (hard)',
      (_id: number, attribute: number) => target.rest.deleteAttribute(attribute, { hard: true }),
    ],
  ])('%s unpublishes the event and moves its timestamp; publish_timestamp stays', async (_name, change) => {
    const { id, attributeIds } = await publishedEvent([`c.${target.runId}.example`]);
    const before = await state(id);
    await target.nextSecond();
    await change(id, attributeIds[0]);
    const after = await state(id);
    expect(after.published).toBe(false);
    expect(after.timestamp).toBeGreaterThan(before.timestamp);
    expect(after.publishTimestamp).toBe(before.publishTimestamp);
  });

  it('events/publish moves publish_timestamp, not timestamp; events/unpublish moves neither', async () => {
    const { id, attributeIds } = await publishedEvent([`d.${target.runId}.example`]);
    await target.nextSecond();
    await target.rest.editAttribute(attributeIds[0], { to_ids: false });
    const edited = await state(id);
    await target.nextSecond();
    await target.rest.publish(id);
    const published = await state(id);
    expect(published.published).toBe(true);
    expect(published.timestamp).toBe(edited.timestamp);
    expect(published.publishTimestamp).toBeGreaterThan(edited.publishTimestamp);
    await target.nextSecond();
    await target.rest.unpublish(id);
    const unpublished = await state(id);
    expect(unpublished).toEqual({ ...published, published: false });
  });
});
