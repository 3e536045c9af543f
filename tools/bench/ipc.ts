import type { ChildProcess } from 'node:child_process';

/** A call from the bench to one of its child processes. */
export interface IpcCall {
  kind: 'call';
  id: number;
  op: string;
  args?: unknown;
}

/** The answer to an IpcCall. */
export interface IpcAnswer {
  kind: 'answer';
  id: number;
  result?: unknown;
  error?: string;
}

/** Anything else a child tells the bench: {kind: 'ready' | 'cycle-end' | ...}. */
export interface IpcNotice {
  kind: string;
  [field: string]: unknown;
}

function isMessage(value: unknown): value is { kind: string } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'
  );
}

/** The bench's side of a child's IPC channel: calls, and waiting for notices. */
export class IpcChannel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly notices: IpcNotice[] = [];
  private readonly waiters: Array<{ kind: string; resolve: (notice: IpcNotice) => void }> = [];
  private exitError: Error | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.on('message', (message: unknown) => this.receive(message));
    child.once('exit', (code, signal) => {
      this.exitError = new Error(`${name} exited (code ${code}, signal ${signal})`);
      for (const call of this.pending.values()) call.reject(this.exitError);
      this.pending.clear();
    });
  }

  /** Calls `op` in the child and resolves with its result; rejects with the child's error. */
  call<T>(op: string, args?: unknown): Promise<T> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    const message: IpcCall = { kind: 'call', id, op, args };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send(message);
    });
  }

  /** Sends a notice the child waits for (e.g. {kind: 'next'}). */
  tell(notice: IpcNotice): void {
    this.child.send(notice);
  }

  /** The next notice of `kind` (one already received counts); rejects if the child exits first. */
  next(kind: string): Promise<IpcNotice> {
    const index = this.notices.findIndex((notice) => notice.kind === kind);
    if (index >= 0) return Promise.resolve(this.notices.splice(index, 1)[0]);
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise<IpcNotice>((resolve, reject) => {
      this.waiters.push({ kind, resolve });
      this.child.once('exit', () => reject(this.exitError ?? new Error(`${this.name} exited`)));
    });
  }

  private receive(message: unknown): void {
    if (!isMessage(message)) return;
    if (message.kind === 'answer') {
      const answer = message as IpcAnswer;
      const call = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (answer.error !== undefined) call?.reject(new Error(`${this.name}: ${answer.error}`));
      else call?.resolve(answer.result);
      return;
    }
    const notice = message as IpcNotice;
    const waiter = this.waiters.findIndex((candidate) => candidate.kind === notice.kind);
    if (waiter >= 0) this.waiters.splice(waiter, 1)[0].resolve(notice);
    else this.notices.push(notice);
  }
}

export type IpcHandlers = Record<string, (args: unknown) => unknown>;

/** The child's side: answers calls with `handlers`. */
export function serveIpc(handlers: IpcHandlers): void {
  process.on('message', (message: unknown) => {
    if (!isMessage(message) || message.kind !== 'call') return;
    const call = message as IpcCall;
    const handler = handlers[call.op];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no operation "${call.op}"`);
        return handler(call.args);
      })
      .then(
        (result: unknown) => process.send?.({ kind: 'answer', id: call.id, result } satisfies IpcAnswer),
        (error: unknown) =>
          process.send?.({
            kind: 'answer',
            id: call.id,
            error: error instanceof Error ? error.message : String(error),
          } satisfies IpcAnswer),
      );
  });
}

/** In a child: the next notice of `kind` from the bench. */
export function receiveNotice(kind: string): Promise<IpcNotice> {
  return new Promise((resolve) => {
    const listener = (message: unknown): void => {
      if (!isMessage(message) || message.kind !== kind) return;
      process.off('message', listener);
      resolve(message as IpcNotice);
    };
    process.on('message', listener);
  });
}
