import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord, readJson, sendJson } from '../http';

/** An event the trigger sent to /callback: {name, event, request_id}. */
export interface ReceivedEvent {
  name?: unknown;
  event?: unknown;
  request_id?: unknown;
  [key: string]: unknown;
}

/** One log line the trigger sent to /logs. */
export interface ReceivedLog {
  date?: unknown;
  level?: unknown;
  message?: unknown;
  [key: string]: unknown;
}

/** What the runtime endpoints received, in arrival order. */
export class RuntimeInbox {
  readonly events: ReceivedEvent[] = [];
  readonly logs: ReceivedLog[] = [];

  clear(): void {
    this.events.length = 0;
    this.logs.length = 0;
  }
}

export interface RuntimeSettings {
  token: string;
  secrets: Record<string, string>;
}

/** POST /callback, POST /logs, GET /secrets with `Authorization: Bearer <token>`. False for other routes. */
export async function handleRuntimeRoute(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  inbox: RuntimeInbox,
  settings: RuntimeSettings,
): Promise<boolean> {
  const route = `${req.method} ${path}`;
  if (route !== 'POST /callback' && route !== 'POST /logs' && route !== 'GET /secrets') return false;
  if (req.headers.authorization !== `Bearer ${settings.token}`) {
    req.resume();
    sendJson(res, 401, { message: 'Invalid or missing runtime token' });
    return true;
  }
  if (route === 'GET /secrets') {
    req.resume();
    sendJson(res, 200, { value: { ...settings.secrets } });
    return true;
  }
  const body = await readJson(req);
  if (route === 'POST /callback') {
    if (!isRecord(body) || typeof body.name !== 'string' || !isRecord(body.event)) {
      sendJson(res, 400, {
        message: 'the body must be {"name": string, "event": object, "request_id"?: string}',
      });
      return true;
    }
    inbox.events.push(body);
    sendJson(res, 200, { message: 'event received' });
    return true;
  }
  if (!isRecord(body) || !Array.isArray(body.logs)) {
    sendJson(res, 400, { message: 'the body must be {"logs": [{date, level, message}]}' });
    return true;
  }
  inbox.logs.push(...(body.logs as ReceivedLog[]));
  sendJson(res, 200, { message: 'logs received' });
  return true;
}
