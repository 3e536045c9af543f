import { openTriggerState } from '../../../src/state/open-state';
import type { SqliteTriggerState } from '../../../src/state/sqlite-state';
import { FakeClock, NAMESPACE, OTHER_NAMESPACE, tempDataPath } from './helpers';

const DAY = 86_400_000;

describe('SqliteTriggerState: MISP events read whole', () => {
  let paths: ReturnType<typeof tempDataPath>;
  let clock: FakeClock;
  const opened: SqliteTriggerState[] = [];

  async function open(namespace = NAMESPACE): Promise<SqliteTriggerState> {
    const state = await openTriggerState({ dataPath: paths.dataPath, namespace, clock });
    opened.push(state);
    return state;
  }

  beforeEach(() => {
    paths = tempDataPath();
    clock = new FakeClock();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((state) => state.close()));
    paths.cleanup();
  });

  it('keeps the events read across a restart, per namespace, until their records expire', async () => {
    const state = await open();
    expect(await state.filterUnreadEvents(['a@1@1', 'b@1@1'])).toEqual(['a@1@1', 'b@1@1']);
    await state.markEventsRead(['a@1@1'], 2 * DAY);
    expect(await state.filterUnreadEvents(['a@1@1', 'b@1@1'])).toEqual(['b@1@1']);
    await state.close();
    opened.splice(0);

    const reopened = await open();
    expect(await reopened.filterUnreadEvents(['b@1@1', 'a@1@1'])).toEqual(['b@1@1']);
    expect(await (await open(OTHER_NAMESPACE)).filterUnreadEvents(['a@1@1'])).toEqual(['a@1@1']);
    clock.advance(2 * DAY);
    expect(await reopened.filterUnreadEvents(['a@1@1'])).toEqual(['a@1@1']);
  });

  it('refuses a TTL that is not a positive time', async () => {
    const state = await open();
    await expect(state.markEventsRead(['a'], 0)).rejects.toThrow(/TTL of events read/);
  });
});
