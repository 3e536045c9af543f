import { PushResult } from './types';

function count(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 ? number : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What an accepted text import answered. The documented answer is `{"task_id": "<uuid>"}`; counts
 * are read when present, at the top level or under `result`/`results`/`counts`/`data`, as
 * `created` or `nb_created` (and the same for updated and ignored). Anything else still means
 * accepted: the status decides, not the body.
 */
export function readPushResult(body: unknown): PushResult {
  if (!isRecord(body)) return {};
  const result: PushResult = {};
  const taskId = body.task_id ?? body.taskId ?? (isRecord(body.data) ? body.data.task_id : undefined);
  if (typeof taskId === 'string' && taskId !== '') result.taskId = taskId;
  const places = [body, body.result, body.results, body.counts, body.data].filter(isRecord);
  for (const name of ['created', 'updated', 'ignored'] as const) {
    for (const place of places) {
      const value = count(place[name] ?? place[`nb_${name}`]);
      if (value !== undefined) {
        result[name] = value;
        break;
      }
    }
  }
  return result;
}
