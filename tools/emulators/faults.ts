import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Fault, type FaultKind, type FaultRule, parseFaultRules } from './fault-rules';
import { isRecord, pathOf, readJson, sendJson } from './http';
import { mulberry32, type Random } from './prng';

export * from './fault-rules';

/** How many requests each kind of fault took (plus how many were delayed and seen). */
export type FaultCounts = Record<FaultKind | 'delayed' | 'requests', number>;

export interface FaultControllerOptions {
  /** Seed of the source that decides random faults and latency ranges. @default 1 */
  seed?: number;
  /** Rules in force from the start. @default [] */
  rules?: readonly FaultRule[];
  /** Body sent by the `malformed` fault (cut short on purpose). @default '{"message":"trunc' */
  malformedBody?: string;
  /** Clock for Retry-After HTTP dates, ms since the epoch. @default Date.now */
  now?: () => number;
}

/** Default Retry-After of the rate-limit fault, seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

const ADMIN_PREFIX = '/_emulator';

function emptyCounts(): FaultCounts {
  return { requests: 0, delayed: 0, status: 0, 'rate-limit': 0, drop: 0, malformed: 0, hang: 0 };
}

/**
 * Decides, per request, whether to delay it and whether to answer with a fault instead of the real
 * answer. Deterministic: the same seed and the same sequence of requests give the same faults.
 * Shared by both emulators; /_emulator routes are never faulted so a test can always reset.
 */
export class FaultController {
  private rules: FaultRule[] = [];
  private random: Random;
  private counters = emptyCounts();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly malformedBody: string;
  private readonly now: () => number;

  constructor(options: FaultControllerOptions = {}) {
    this.random = mulberry32(options.seed ?? 1);
    this.malformedBody = options.malformedBody ?? '{"message":"trunc';
    this.now = options.now ?? Date.now;
    this.set(options.rules ?? []);
  }

  /** Replaces every rule (copied: later changes to the caller's objects do not leak in). */
  set(rules: readonly FaultRule[], seed?: number): void {
    this.rules = parseFaultRules(JSON.parse(JSON.stringify(rules)) as unknown);
    if (seed !== undefined) this.random = mulberry32(seed);
  }

  add(rule: FaultRule): void {
    this.set([...this.rules, rule]);
  }

  /** Shortcut: the next `count` requests under `prefix` get `fault`. */
  failNext(count: number, fault: Fault, prefix = ''): void {
    this.add({ prefix, failNext: { count, fault } });
  }

  /** Removes every rule; counts are kept (see resetCounts). */
  clear(): void {
    this.rules = [];
  }

  resetCounts(): void {
    this.counters = emptyCounts();
  }

  /** The rules in force, with failNext counts as they stand now. */
  currentRules(): FaultRule[] {
    return JSON.parse(JSON.stringify(this.rules)) as FaultRule[];
  }

  counts(): FaultCounts {
    return { ...this.counters };
  }

  /** Cancels pending latency timers (on server close). */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Applies the rules to one request: waits the latency, then answers with a fault if one is due.
   * Returns true when the fault took over the response (the caller must not answer).
   */
  async intercept(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = pathOf(req);
    if (path.startsWith(ADMIN_PREFIX)) return false;
    const rules = this.rules.filter((rule) => path.startsWith(rule.prefix ?? ''));
    if (rules.length === 0) return false;
    this.counters.requests += 1;
    const delay = rules.reduce((sum, rule) => sum + this.latencyOf(rule), 0);
    if (delay > 0) {
      this.counters.delayed += 1;
      await this.sleep(delay);
    }
    const fault = this.faultFor(rules);
    if (fault === undefined) return false;
    this.counters[fault.kind] += 1;
    this.answer(fault, path, req, res);
    return true;
  }

  /** Serves GET/POST/DELETE /_emulator/faults; returns false for any other route. */
  async handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (pathOf(req) !== `${ADMIN_PREFIX}/faults`) return false;
    if (req.method === 'GET') {
      sendJson(res, 200, { rules: this.currentRules(), counts: this.counts() });
    } else if (req.method === 'DELETE') {
      this.clear();
      this.resetCounts();
      sendJson(res, 200, { rules: [], counts: this.counts() });
    } else if (req.method === 'POST') {
      const body = await readJson(req);
      try {
        if (body instanceof Error) throw new Error(`body must be JSON: ${body.message}`);
        const seed = isRecord(body) && typeof body.seed === 'number' ? body.seed : undefined;
        this.set(parseFaultRules(body), seed);
        sendJson(res, 200, { rules: this.currentRules(), counts: this.counts() });
      } catch (error) {
        sendJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
      }
    } else {
      sendJson(res, 405, { message: 'use GET, POST or DELETE on /_emulator/faults' });
    }
    return true;
  }

  private latencyOf(rule: FaultRule): number {
    const latency = rule.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === 'number') return latency;
    return latency[0] + Math.round(this.random() * (latency[1] - latency[0]));
  }

  private faultFor(rules: readonly FaultRule[]): Fault | undefined {
    for (const rule of rules) {
      if (rule.failNext && rule.failNext.count > 0) {
        rule.failNext.count -= 1;
        return rule.failNext.fault;
      }
    }
    for (const rule of rules) {
      for (const entry of rule.random ?? []) {
        if (this.random() < entry.rate) return entry.fault;
      }
    }
    return undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private answer(fault: Fault, path: string, req: IncomingMessage, res: ServerResponse): void {
    // Discard the request body so that a kept-alive connection stays usable.
    req.resume();
    switch (fault.kind) {
      case 'status':
        sendJson(res, fault.status, {
          name: `Emulated fault ${fault.status}`,
          message: `Emulated fault ${fault.status}`,
          url: path,
        });
        return;
      case 'rate-limit': {
        const seconds = fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
        const retryAfter =
          fault.retryAfterForm === 'http-date'
            ? new Date(this.now() + seconds * 1000).toUTCString()
            : String(seconds);
        sendJson(
          res,
          429,
          { name: 'Rate limit exceeded.', message: 'Rate limit exceeded.', url: path },
          {
            'Retry-After': retryAfter,
            'X-Rate-Limit-Limit': 0,
            'X-Rate-Limit-Remaining': 0,
            'X-Rate-Limit-Reset': seconds,
          },
        );
        return;
      }
      case 'drop':
        req.socket.destroy();
        return;
      case 'malformed':
        res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
        res.end(this.malformedBody);
        return;
      case 'hang':
        res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
        res.write(this.malformedBody);
        return;
    }
  }
}
