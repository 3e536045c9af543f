import { inspect } from 'node:util';
import type { RetryNotice } from '../../src/http/request';
import { createMispClient } from '../../src/misp/client';
import type { MispClient } from '../../src/misp/types';
import { createSekoiaClient } from '../../src/sekoia/client';
import type { IocCollectionSink } from '../../src/sekoia/types';
import { openTriggerState } from '../../src/state';
import { createTrigger } from '../../src/trigger';
import type { DependencyFactory } from '../../src/trigger/dependencies';
import type { AnyTriggerDefinition } from '../../src/triggers';

/**
 * Every error object the clients handed to the trigger, printed in full (own and hidden fields,
 * causes, any depth): what a careless `logger.error(error)` or `console.log(error)` would show.
 */
export class ErrorRecorder {
  readonly printed: string[] = [];

  record(error: unknown): void {
    this.printed.push(inspect(error, { depth: null, showHidden: true }));
    if (error instanceof Error) this.printed.push(JSON.stringify(error), String(error.stack));
  }

  get text(): string {
    return this.printed.join('\n');
  }
}

function recordingMisp(misp: MispClient, recorder: ErrorRecorder): MispClient {
  return {
    async getVersion(signal) {
      try {
        return await misp.getVersion(signal);
      } catch (error) {
        recorder.record(error);
        throw error;
      }
    },
    async *readWindow(query, options, signal) {
      try {
        yield* misp.readWindow(query, options, signal);
      } catch (error) {
        recorder.record(error);
        throw error;
      }
    },
    async listEvents(ids, signal) {
      try {
        return await misp.listEvents(ids, signal);
      } catch (error) {
        recorder.record(error);
        throw error;
      }
    },
  };
}

function recordingSink(sink: IocCollectionSink, recorder: ErrorRecorder): IocCollectionSink {
  return {
    async checkCollection(signal) {
      try {
        await sink.checkCollection(signal);
      } catch (error) {
        recorder.record(error);
        throw error;
      }
    },
    async push(batch, options, signal) {
      try {
        return await sink.push(batch, options, signal);
      } catch (error) {
        recorder.record(error);
        throw error;
      }
    },
  };
}

/**
 * The answers' size the reliability scenarios are written for: their data sets, fault schedules
 * ("a 403 on the 5th search") and batch counts assume groups of events under 2,000 attributes,
 * whatever MISP_PAGE_SIZE the trigger is tuned to.
 */
export const RELIABILITY_PAGE_SIZE = 2000;

/**
 * The real trigger, clients and SQLite state, built as createDependencies builds them but with a
 * short read timeout (a hanging server costs `readMs` per attempt) and every client error, and every
 * retry notice's error, recorded for the secrets scan.
 */
export function recordingTrigger(readMs: number, recorder: ErrorRecorder): AnyTriggerDefinition {
  const timeouts = { connectMs: 1000, readMs };
  const factory: DependencyFactory = async (input) => {
    const { settings, clock } = input;
    const onRetry =
      (forward: (notice: RetryNotice) => void) =>
      (notice: RetryNotice): void => {
        recorder.record(notice.error);
        forward(notice);
      };
    const misp = createMispClient({
      baseUrl: settings.mispUrl,
      apiKey: settings.mispApiKey,
      clock,
      timeouts,
      onRetry: onRetry(input.onMispRetry),
    });
    const sekoia = createSekoiaClient({
      server: settings.sekoiaServer,
      collectionId: settings.collectionId,
      apiKey: settings.sekoiaApiKey ?? '',
      clock,
      timeouts,
      onRetry: onRetry(input.onSekoiaRetry),
    });
    const state = await openTriggerState({ dataPath: input.dataPath, namespace: input.namespace, clock });
    return {
      // runCycle takes its optional pageSize from the dependencies (as the bench's trigger does).
      pageSize: RELIABILITY_PAGE_SIZE,
      misp: recordingMisp(misp, recorder),
      sink: recordingSink(sekoia, recorder),
      state,
      async close() {
        misp.close();
        sekoia.close();
        await state.close();
      },
    };
  };
  return createTrigger({ createDependencies: factory }) as unknown as AnyTriggerDefinition;
}
