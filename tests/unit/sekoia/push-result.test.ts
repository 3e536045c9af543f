import { readPushResult } from '../../../src/sekoia/push-result';

describe('readPushResult', () => {
  it.each([
    [{ task_id: 't-1' }, { taskId: 't-1' }],
    [
      { task_id: 't-1', created: 3, updated: 1, ignored: 0 },
      { taskId: 't-1', created: 3, updated: 1, ignored: 0 },
    ],
    [
      { task_id: 't-1', result: { nb_created: '2', nb_ignored: 5 } },
      { taskId: 't-1', created: 2, ignored: 5 },
    ],
    [{ data: { task_id: 't-2', created: 1 } }, { taskId: 't-2', created: 1 }],
    [{ counts: { created: -1, updated: 'x', ignored: 1.5 } }, {}],
    ['accepted', {}],
    [null, {}],
    [[], {}],
  ])('%j -> %j', (body, expected) => {
    expect(readPushResult(body)).toEqual(expected);
  });
});
