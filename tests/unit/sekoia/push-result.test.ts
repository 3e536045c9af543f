import { readPushResult } from '../../../src/sekoia/push-result';

describe('readPushResult', () => {
  it.each([
    [{ task_id: 't-1' }, { taskId: 't-1' }],
    // Counts are not read: the 202 answer has none, and none may be invented.
    [{ task_id: 't-1', created: 3, updated: 1, ignored: 0 }, { taskId: 't-1' }],
    [{ data: { task_id: 't-2', created: 1 } }, { taskId: 't-2' }],
    [{ counts: { created: 1 } }, {}],
    ['accepted', {}],
    [null, {}],
    [[], {}],
  ])('%j -> %j', (body, expected) => {
    expect(readPushResult(body)).toEqual(expected);
  });
});
