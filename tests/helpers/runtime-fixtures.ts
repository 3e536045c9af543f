import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { SignalSource, StopSignal } from '../../src/runtime/signals';
import type { TriggerContext, TriggerDefinition } from '../../src/runtime/types';

/** The repository root: holds the real manifest.json and trigger JSON, the schemas under test. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const TRIGGER_FILE = 'trigger_misp_ids_to_ioc.json';
export const VALID_COLLECTION = 'ioc-collection--0a1b2c3d-1111-4222-8333-444455556666';
export const MISP_KEY = 'misp-key-0123456789abcdef';
export const SEKOIA_KEY = 'sekoia-key-fedcba9876543210';
export const TOKEN = 'runtime-token-42424242';

export { FakeClock } from './fake-clock';

/** Collects what the runtime writes to its console. */
export class ConsoleCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
  get lines(): string[] {
    return this.text.split('\n').filter(Boolean);
  }
}

/** A signal source the test fires by hand. */
export class ManualSignals implements SignalSource {
  private handlers: ((signal: StopSignal) => void)[] = [];
  subscribe(handler: (signal: StopSignal) => void): () => void {
    this.handlers.push(handler);
    return () => {
      this.handlers = this.handlers.filter((item) => item !== handler);
    };
  }
  fire(signal: StopSignal = 'SIGTERM'): void {
    for (const handler of [...this.handlers]) handler(signal);
  }
  get subscribers(): number {
    return this.handlers.length;
  }
}

/** A volume directory with one file per value. */
export function makeVolume(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-volume-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

export type TestContext = TriggerContext<Record<string, unknown>, Record<string, unknown>>;

/** A trigger that knows nothing of MISP: it runs the given body, using the repo's real trigger JSON. */
export function testTrigger(
  run: (context: TestContext) => Promise<void>,
  thresholdSeconds = 900,
): TriggerDefinition<Record<string, unknown>, Record<string, unknown>> {
  return {
    command: 'test-trigger',
    triggerFile: TRIGGER_FILE,
    run,
    heartbeatThresholdSeconds: () => thresholdSeconds,
  };
}

/** Waits for the context's signal: what a well-behaved run() does between cycles. */
export function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
