import { PushResult } from './types';
import { isRecord } from '../json';

/**
 * What an accepted text import answered: `{"task_id": "<uuid>"}` (202, queued). The import's outcome
 * is not readable over REST, so no created/updated count is reported. Anything else still means
 * accepted: the status decides, not the body.
 */
export function readPushResult(body: unknown): PushResult {
  if (!isRecord(body)) return {};
  const taskId = body.task_id ?? body.taskId ?? (isRecord(body.data) ? body.data.task_id : undefined);
  return typeof taskId === 'string' && taskId !== '' ? { taskId } : {};
}
