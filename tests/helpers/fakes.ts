import { Registry } from 'prom-client';
import type { Clock } from '../../src/clock';
import { FakeClock } from './fake-clock';
import { AbortedError } from '../../src/errors';
import type {
  MispAttributeQuery,
  MispClient,
  MispEventGroup,
  MispEventSummary,
  ReadWindowOptions,
} from '../../src/misp/types';
import type { Logger, LogLevel, RunOptions, TriggerContext } from '../../src/runtime/types';
import { SekoiaError } from '../../src/sekoia/errors';
import type { IndicatorBatch, IocCollectionSink, PushOptions, PushResult } from '../../src/sekoia/types';
import type { PushedRecord, PushRecord, SweepMarks, TriggerState } from '../../src/state/types';

export { FakeClock } from './fake-clock';

export interface LogLine {
  level: LogLevel;
  message: string;
}

/** Records every line, in order. */
export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warning(message: string): void {
    this.lines.push({ level: 'warning', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  critical(message: string): void {
    this.lines.push({ level: 'critical', message });
  }
  at(level: LogLevel): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

export interface FakeMispOptions {
  /** Throw this error instead of serving page `failOnPage` (1-based), once per search. */
  failOnPage?: number;
  error?: Error;
  /** X-Skipped-Elements-Count of every non-empty page. @default 0 */
  warninglistSkipped?: number;
  version?: string;
  /** publish_timestamp of every page's event. @default the window's end (each read every cycle) */
  publishTimestamp?: number;
  /**
   * What listEvents answers (the events as MISP holds them after a read). @default every event
   * the fake served (a page's event, or an attribute's event_id), published and unchanged since,
   * except those in `deletedEvents`
   */
  eventsNow?: MispEventSummary[];
  /** Ids of events deleted from MISP since they were served: listEvents leaves them out. */
  deletedEvents?: string[];
}

/** Serves `pages` (arrays of raw attributes) in order, then an empty page. Records the queries. */
export class FakeMispClient implements MispClient {
  readonly queries: MispAttributeQuery[] = [];
  /** Pages served, over all searches. */
  pagesServed = 0;
  versionCalls = 0;

  constructor(
    public pages: unknown[][],
    public options: FakeMispOptions = {},
  ) {}

  /** The ids of each listEvents call. */
  readonly eventListings: string[][] = [];
  /** Each event served (a page's, or an attribute's event_id) -> the start of the window first serving it. */
  private readonly served = new Map<string, number>();

  async listEvents(ids: readonly string[]): Promise<MispEventSummary[]> {
    this.eventListings.push([...ids]);
    if (this.options.eventsNow) return this.options.eventsNow.filter((event) => ids.includes(event.id));
    const deleted = new Set(this.options.deletedEvents ?? []);
    return ids.flatMap((id) => {
      const at = this.served.get(id);
      if (at === undefined || deleted.has(id)) return [];
      return [
        {
          id,
          uuid: `fake-event-${id}`,
          published: true,
          publishTimestamp: at,
          timestamp: at,
          attributeCount: 1,
        },
      ];
    });
  }

  private noteServed(eventId: string, at: number): void {
    if (!this.served.has(eventId)) this.served.set(eventId, at);
  }

  private noteAttributesServed(attributes: readonly unknown[], at: number): void {
    for (const raw of attributes) {
      const eventId = (raw as { event_id?: unknown } | null)?.event_id;
      if (typeof eventId === 'string' || typeof eventId === 'number') this.noteServed(String(eventId), at);
    }
  }

  async getVersion(): Promise<string> {
    this.versionCalls += 1;
    return this.options.version ?? '2.5.1';
  }

  /** The pages as events, one event a page (published at the window's end unless told otherwise). */
  async *readWindow(
    query: MispAttributeQuery,
    options: ReadWindowOptions = {},
    signal?: AbortSignal,
  ): AsyncIterable<MispEventGroup> {
    this.queries.push(query);
    const events: MispEventSummary[] = this.pages.map((page, index) => ({
      id: String(index + 1),
      uuid: `fake-event-${index + 1}`,
      published: true,
      publishTimestamp: this.options.publishTimestamp ?? query.publishTo,
      timestamp: this.options.publishTimestamp ?? query.publishTo,
      attributeCount: page.length,
    }));
    const selected = options.selectEvents ? await options.selectEvents(events) : events;
    options.onEventsListed?.(events.length, selected.length);
    for (const event of selected) {
      const index = Number(event.id) - 1;
      if (signal?.aborted) throw new AbortedError(signal.reason);
      if (this.options.failOnPage === index + 1) {
        throw this.options.error ?? new Error(`fake MISP failure on page ${index + 1}`);
      }
      this.pagesServed += 1;
      const attributes = this.pages[index];
      this.noteServed(event.id, query.publishFrom);
      this.noteAttributesServed(attributes, query.publishFrom);
      const warninglistSkipped = attributes.length > 0 ? (this.options.warninglistSkipped ?? 0) : 0;
      yield { page: index + 1, attributes, warninglistSkipped, events: [event] };
    }
    // As a last, empty page: a request after the last page can fail too.
    if (this.options.failOnPage === this.pages.length + 1) {
      throw this.options.error ?? new Error(`fake MISP failure after page ${this.pages.length}`);
    }
  }
}

export const PUSH_OPERATION = {
  method: 'POST',
  url: 'https://api.sekoia.test/v2/inthreat/ioc-collections/ioc-collection--00000000-0000-4000-8000-000000000001/indicators/text',
};

/** Records accepted batches; can refuse given values ('rejected') or be unavailable for N calls. */
export class FakeSink implements IocCollectionSink {
  /** Every push call, accepted or not. */
  readonly calls: Array<{ batch: IndicatorBatch; options: PushOptions }> = [];
  readonly accepted: IndicatorBatch[] = [];
  readonly rejectValues = new Set<string>();
  /** The next N push calls throw an 'unavailable' SekoiaError. */
  unavailableCalls = 0;
  /** Throw this on the next push call (e.g. a fatal SekoiaError). */
  nextError: Error | undefined;
  accessChecks = 0;
  accessError: Error | undefined;
  /** Batches of more values are refused with this status (413, or 400 naming the size). */
  sizeLimit: { values: number; status: 400 | 413; apiMessage: string } | undefined;
  /** Every push is refused with 400 and this message, whatever it holds. */
  refuseEverything: string | undefined;
  private tasks = 0;

  async checkCollection(): Promise<void> {
    this.accessChecks += 1;
    if (this.accessError) throw this.accessError;
  }

  async push(batch: IndicatorBatch, options: PushOptions): Promise<PushResult> {
    this.calls.push({ batch: { format: batch.format, values: [...batch.values] }, options });
    if (this.nextError) {
      const error = this.nextError;
      this.nextError = undefined;
      throw error;
    }
    if (this.unavailableCalls > 0) {
      this.unavailableCalls -= 1;
      throw new SekoiaError(
        `Sekoia.io was unavailable after 6 attempts (503 Service Unavailable: POST ${PUSH_OPERATION.url})`,
        { kind: 'unavailable', status: 503, operation: PUSH_OPERATION },
      );
    }
    if (this.sizeLimit && batch.values.length > this.sizeLimit.values) {
      const { status, apiMessage } = this.sizeLimit;
      throw new SekoiaError(`Sekoia.io rejected POST ${PUSH_OPERATION.url} with ${status} (${apiMessage})`, {
        kind: 'rejected',
        status,
        apiMessage,
        operation: PUSH_OPERATION,
      });
    }
    if (this.refuseEverything !== undefined) {
      const apiMessage = this.refuseEverything;
      throw new SekoiaError(`Sekoia.io rejected POST ${PUSH_OPERATION.url} with 400 (${apiMessage})`, {
        kind: 'rejected',
        status: 400,
        apiMessage,
        operation: PUSH_OPERATION,
      });
    }
    const refused = batch.values.filter((value) => this.rejectValues.has(value));
    if (refused.length > 0) {
      const apiMessage = `invalid indicator "${refused[0]}"`;
      throw new SekoiaError(
        `Sekoia.io rejected the batch (400 Bad Request: ${apiMessage}) for POST ${PUSH_OPERATION.url}`,
        {
          kind: 'rejected',
          status: 400,
          apiMessage,
          operation: PUSH_OPERATION,
        },
      );
    }
    this.accepted.push({ format: batch.format, values: [...batch.values] });
    this.tasks += 1;
    const result: PushResult = { taskId: `task-${this.tasks}` };
    return result;
  }

  /** Every accepted value, as "format value". */
  acceptedValues(): string[] {
    return this.accepted.flatMap((batch) => batch.values.map((value) => `${batch.format} ${value}`));
  }
}

export type StateOperation = 'filterUnpushed' | 'markPushed' | 'getCursor' | 'setCursor';

/** In-memory TriggerState (test only), TTL against the given clock. Records its calls. */
export class MemoryState implements TriggerState {
  readonly pushed = new Map<string, number>();
  cursor: number | undefined;
  filterCalls = 0;
  markCalls: Array<{ keys: string[]; ttlMs: number }> = [];
  saves = 0;
  /** Set to make the next save() fail with it. */
  saveFailure: Error | undefined;
  closed = false;
  /** Operations that throw the given error (e.g. a StateError for a full disk) until deleted. */
  readonly failing = new Map<StateOperation, Error>();

  constructor(private readonly clock: Clock) {}

  private failIfAsked(operation: StateOperation): void {
    const error = this.failing.get(operation);
    if (error) throw error;
  }

  async filterUnpushed(keys: readonly string[]): Promise<string[]> {
    this.failIfAsked('filterUnpushed');
    this.filterCalls += 1;
    const now = this.clock.now();
    return keys.filter((key) => (this.pushed.get(key) ?? -Infinity) <= now);
  }

  async markPushed(keys: readonly string[], ttlMs: number, record?: PushRecord): Promise<void> {
    this.failIfAsked('markPushed');
    if (!Number.isFinite(ttlMs) || ttlMs <= 0)
      throw new RangeError(`TTL must be a positive number of ms, got ${ttlMs}`);
    this.markCalls.push({ keys: [...keys], ttlMs });
    const expires = this.clock.now() + ttlMs;
    for (const key of keys) this.pushed.set(key, expires);
    keys.forEach((key, index) => {
      const source = record?.sources?.[index];
      const before = this.records.get(key);
      this.records.set(key, {
        key,
        lapsesAtMs: record?.validUntilMs ?? expires,
        publishedAfterMs: Math.max(
          source?.publishedAtMs ?? record?.publishedAfterMs ?? 0,
          before?.publishedAfterMs ?? 0,
        ),
        attributeUuid: source?.attributeUuid ?? before?.attributeUuid,
        eventId: source?.eventId ?? before?.eventId,
      });
    });
  }

  // ---- Reconciliation (ReconciliationState in src/state/types.ts) ----
  readonly records = new Map<string, PushedRecord>();
  sweepMarks: SweepMarks = {};
  forgotten: string[] = [];

  private live(key: string): PushedRecord | undefined {
    const record = this.records.get(key);
    return record !== undefined && record.lapsesAtMs > this.clock.now() ? record : undefined;
  }

  async readLapseTimes(keys: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const key of keys) {
      const record = this.live(key);
      if (record) found.set(key, record.lapsesAtMs);
    }
    return found;
  }

  async listPushedRecords(afterKey: string, limit: number): Promise<PushedRecord[]> {
    return [...this.records.keys()]
      .filter((key) => key > afterKey && this.live(key) !== undefined)
      .sort()
      .slice(0, limit)
      .map((key) => ({ ...(this.records.get(key) as PushedRecord) }));
  }

  async forgetPushed(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.forgotten.push(key);
      this.records.delete(key);
      this.pushed.delete(key);
    }
  }

  async getSweepMarks(): Promise<SweepMarks> {
    return { ...this.sweepMarks };
  }

  async setSweepMarks(marks: SweepMarks): Promise<void> {
    this.sweepMarks = { ...marks };
  }

  revocations = new Map<string, number>();

  async getRevocations(): Promise<Map<string, number>> {
    return new Map(this.revocations);
  }

  async setRevocations(revocations: ReadonlyMap<string, number>): Promise<void> {
    this.revocations = new Map(revocations);
  }
  // ---- end of the reconciliation block ----

  /** Event keys recorded as read whole -> when the record expires. */
  readonly eventsRead = new Map<string, number>();

  async filterUnreadEvents(eventKeys: readonly string[]): Promise<string[]> {
    const now = this.clock.now();
    return eventKeys.filter((key) => (this.eventsRead.get(key) ?? -Infinity) <= now);
  }

  async markEventsRead(eventKeys: readonly string[], ttlMs: number): Promise<void> {
    const expires = this.clock.now() + ttlMs;
    for (const key of eventKeys) this.eventsRead.set(key, expires);
  }

  async getCursor(): Promise<number | undefined> {
    this.failIfAsked('getCursor');
    return this.cursor;
  }

  async setCursor(epochMs: number): Promise<void> {
    this.failIfAsked('setCursor');
    if (!Number.isFinite(epochMs) || epochMs < 0)
      throw new RangeError(`Cursor must be a time in epoch ms, got ${epochMs}`);
    this.cursor = epochMs;
  }

  appliedWindowDays: number | undefined;

  async getAppliedWindowDays(): Promise<number | undefined> {
    return this.appliedWindowDays;
  }

  async setAppliedWindowDays(days: number): Promise<void> {
    this.appliedWindowDays = days;
  }

  async save(): Promise<void> {
    this.saves += 1;
    const failure = this.saveFailure;
    this.saveFailure = undefined;
    if (failure) throw failure;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export interface FakeContextCalls {
  events: Array<{ name: string; event: Record<string, unknown> }>;
  heartbeats: number;
  succeeded: number;
  failed: unknown[];
}

/** A TriggerContext as the runtime would build it, with recording callbacks. */
export function createFakeContext<M, T>(fields: {
  moduleConfiguration: M;
  triggerConfiguration: T;
  clock: FakeClock;
  logger?: RecordingLogger;
  runOptions?: Partial<RunOptions>;
  controller?: AbortController;
  triggerConfigurationUuid?: string;
}): {
  context: TriggerContext<M, T>;
  calls: FakeContextCalls;
  logger: RecordingLogger;
  controller: AbortController;
} {
  const logger = fields.logger ?? new RecordingLogger();
  const controller = fields.controller ?? new AbortController();
  const calls: FakeContextCalls = { events: [], heartbeats: 0, succeeded: 0, failed: [] };
  const context: TriggerContext<M, T> = {
    moduleConfiguration: fields.moduleConfiguration,
    triggerConfiguration: fields.triggerConfiguration,
    triggerConfigurationUuid: fields.triggerConfigurationUuid,
    env: {},
    dataPath: '/nonexistent/fake-data-path',
    storage: { backend: 'local' },
    logger,
    clock: fields.clock,
    signal: controller.signal,
    runOptions: { once: false, dryRun: false, ...fields.runOptions },
    metrics: new Registry(),
    sendEvent: async (name, event) => {
      calls.events.push({ name, event });
      return true;
    },
    heartbeat: () => {
      calls.heartbeats += 1;
    },
    cycleSucceeded: () => {
      calls.succeeded += 1;
    },
    cycleFailed: (error) => {
      calls.failed.push(error);
    },
  };
  return { context, calls, logger, controller };
}
