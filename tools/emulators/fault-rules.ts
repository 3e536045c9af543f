import { isRecord } from './http';

/** What an emulator does instead of answering normally. */
export type Fault =
  /** Answer this status (e.g. 500, 502, 503) with a JSON error body. */
  | { kind: 'status'; status: number }
  /** 429 with `Retry-After` in seconds or as an HTTP date. */
  | { kind: 'rate-limit'; retryAfterSeconds?: number; retryAfterForm?: 'seconds' | 'http-date' }
  /** Destroy the socket before answering (the client sees a reset). */
  | { kind: 'drop' }
  /** 200 with a truncated JSON body. */
  | { kind: 'malformed' }
  /** Send the headers and the start of a body, then stall until the client or close() gives up. */
  | { kind: 'hang' };

export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = ['status', 'rate-limit', 'drop', 'malformed', 'hang'];

/** A fault given to a share of requests. */
export interface RandomFault {
  /** Share of matching requests, 0..1, drawn from the controller's seeded source. */
  rate: number;
  fault: Fault;
}

/** One fault rule. Rules are tried in order; every rule whose prefix matches applies. */
export interface FaultRule {
  /** Applies to request paths starting with this (never to /_emulator routes). @default '' (every route) */
  prefix?: string;
  /** Delay before answering, in ms: fixed, or [min, max] drawn from the seeded source. @default 0 */
  latencyMs?: number | readonly [number, number];
  /** Faults given to a share of requests, tried in order. @default [] */
  random?: readonly RandomFault[];
  /** The next `count` matching requests get `fault`, before any random fault. */
  failNext?: { count: number; fault: Fault };
}

/** Checks a fault (from JSON over HTTP); throws naming the field and what is expected. */
export function parseFault(value: unknown, field: string): Fault {
  if (!isRecord(value)) throw new Error(`${field} must be an object with a "kind"`);
  switch (value.kind) {
    case 'status':
      if (
        !Number.isInteger(value.status) ||
        (value.status as number) < 400 ||
        (value.status as number) > 599
      ) {
        throw new Error(`${field}.status must be an HTTP status from 400 to 599`);
      }
      return { kind: 'status', status: value.status as number };
    case 'rate-limit': {
      const seconds = value.retryAfterSeconds;
      if (seconds !== undefined && !(typeof seconds === 'number' && seconds >= 0)) {
        throw new Error(`${field}.retryAfterSeconds must be a number of seconds >= 0`);
      }
      const form = value.retryAfterForm;
      if (form !== undefined && form !== 'seconds' && form !== 'http-date') {
        throw new Error(`${field}.retryAfterForm must be "seconds" or "http-date"`);
      }
      return { kind: 'rate-limit', retryAfterSeconds: seconds as number | undefined, retryAfterForm: form };
    }
    case 'drop':
    case 'malformed':
    case 'hang':
      return { kind: value.kind };
    default:
      throw new Error(`${field}.kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
}

function parseLatency(value: unknown, field: string): FaultRule['latencyMs'] {
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (value === undefined || valid(value)) return value;
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    valid(value[0]) &&
    valid(value[1]) &&
    value[0] <= value[1]
  ) {
    return [value[0], value[1]];
  }
  throw new Error(`${field} must be milliseconds >= 0 or a [min, max] pair`);
}

function parseRule(value: unknown, field: string): FaultRule {
  if (!isRecord(value)) throw new Error(`${field} must be an object`);
  const rule: FaultRule = {};
  if (value.prefix !== undefined) {
    if (typeof value.prefix !== 'string') throw new Error(`${field}.prefix must be a path prefix string`);
    rule.prefix = value.prefix;
  }
  rule.latencyMs = parseLatency(value.latencyMs, `${field}.latencyMs`);
  if (value.random !== undefined) {
    if (!Array.isArray(value.random)) throw new Error(`${field}.random must be a list of {rate, fault}`);
    rule.random = value.random.map((entry: unknown, index) => {
      const where = `${field}.random[${index}]`;
      if (!isRecord(entry) || typeof entry.rate !== 'number' || entry.rate < 0 || entry.rate > 1) {
        throw new Error(`${where}.rate must be a share from 0 to 1`);
      }
      return { rate: entry.rate, fault: parseFault(entry.fault, `${where}.fault`) };
    });
  }
  if (value.failNext !== undefined) {
    const next = value.failNext;
    if (!isRecord(next) || !Number.isInteger(next.count) || (next.count as number) < 0) {
      throw new Error(`${field}.failNext.count must be an integer >= 0`);
    }
    rule.failNext = { count: next.count as number, fault: parseFault(next.fault, `${field}.failNext.fault`) };
  }
  return rule;
}

/** Parses `{"rules": [...]}`, a list of rules or one rule, as POSTed to /_emulator/faults. */
export function parseFaultRules(body: unknown): FaultRule[] {
  const list = isRecord(body) && 'rules' in body ? body.rules : body;
  if (Array.isArray(list)) return list.map((rule, index) => parseRule(rule, `rules[${index}]`));
  return [parseRule(list, 'rule')];
}
