import { ReliabilityWorld } from '../helpers/reliability-world';
it('probe', async () => {
  const world = await ReliabilityWorld.start({ attributes: 5000 });
  const t = Date.now();
  const run = world.run({ flags: ['--once'] });
  expect(await run.exit).toBe(0);
  const c = world.sekoia.collection('ioc-collection--7e1a0c3b-2222-4333-8444-555566667777');
  console.log(
    Date.now() - t,
    c.importRequests,
    c.valuesReceived,
    world.expected().length,
    world.misp.requestCounts(),
  );
  console.log(run.console.text.slice(0, 3000));
  expect(world.collectionIocs()).toEqual(world.expected());
  await world.close();
});
