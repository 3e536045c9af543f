import type { MispEventSummary } from '../../misp/types';
import { parseIocKey } from '../../pipeline/keys';
import type { Ioc } from '../../pipeline/types';
import type { PushedRecord, TriggerState } from '../../state/types';
import type { TriggerSettings } from '../config';
import { cycleFailure, CycleFailure } from '../read-and-push';
import {
  changedDuringSweep,
  EventStamp,
  FlaggedView,
  REVOCATION_BUDGET,
  RevocationHold,
  revocationHold,
  SweepWindow,
  WithdrawalReason,
  withdrawalOf,
} from './plan';

/** Revokes values in the IOC Collection (Sekoia.io has no revoke by value: list, then DELETE). */
export interface IndicatorRevoker {
  /** Revokes the collection's indicators of this exact value not revoked yet; resolves how many. */
  revokeValue(ioc: Ioc, signal?: AbortSignal): Promise<number>;
}

/** Why withdrawn values were left in the IOC Collection. */
export type RevocationHeld =
  RevocationHold | 'revoke_withdrawn_off' | 'budget_reached' | 'sekoia_failed' | 'dry_run';

export interface RevokedExample extends Ioc {
  reason: WithdrawalReason;
  attributeUuid?: string;
  eventId?: string;
}

/** Examples of revoked values kept for the log line. */
export const REVOKED_EXAMPLES = 3;

/** Records read per state request while looking for withdrawn values. */
export const WITHDRAWN_SCAN_RECORDS = 10_000;

export interface RevocationOutcome {
  /** Values this trigger pushed, for events surely inside the window, still valid in Sekoia.io. */
  pushedInWindow: number;
  /** Of those, the values MISP no longer flags. */
  withdrawn: number;
  revoked: number;
  revokedExamples: RevokedExample[];
  /** Withdrawn values left for the next sweep: their event changed while the sweep read MISP. */
  heldChanged: number;
  revocationHeld?: RevocationHeld;
}

export interface RevocationInput {
  state: TriggerState;
  revoker: IndicatorRevoker | undefined;
  settings: Readonly<Pick<TriggerSettings, 'revokeWithdrawn'>>;
  signal: AbortSignal;
  dryRun: boolean;
  window: SweepWindow;
  view: FlaggedView;
  /** The MISP read (and the state reads along it) went to the end of the window. */
  readComplete: boolean;
  valuesRead: number;
  /** @default REVOCATION_BUDGET */
  budget?: number;
  /** When the sweep started (before its read): a change since then may have hidden values. */
  startedAtMs: number;
  /** The events the read listed (and read whole), with their marks as listed. */
  seenEvents: ReadonlyMap<string, EventStamp>;
  /** Lists these events as MISP holds them now (MispClient.listEvents). */
  listEvents(ids: readonly string[], signal?: AbortSignal): Promise<MispEventSummary[]>;
}

interface Candidate {
  record: PushedRecord;
  reason: WithdrawalReason;
}

/** Counts the withdrawn values (the first `budget` kept) among the records still valid in Sekoia.io. */
async function findWithdrawn(
  input: RevocationInput,
  budget: number,
): Promise<{ candidates: Candidate[]; pushedInWindow: number; withdrawn: number }> {
  const candidates: Candidate[] = [];
  let pushedInWindow = 0;
  let withdrawn = 0;
  for (let after = ''; ;) {
    const records = await input.state.listPushedRecords(after, WITHDRAWN_SCAN_RECORDS);
    for (const record of records) {
      if (record.publishedAfterMs >= input.window.revocableFromMs) pushedInWindow += 1;
      const reason = withdrawalOf(record, input.view, input.window);
      if (reason === undefined) continue;
      withdrawn += 1;
      if (candidates.length < budget) candidates.push({ record, reason });
    }
    if (records.length < WITHDRAWN_SCAN_RECORDS) return { candidates, pushedInWindow, withdrawn };
    after = records[records.length - 1].key;
  }
}

/** Why nothing (more) is revoked before trying, or undefined to go on. */
function heldBefore(input: RevocationInput, outcome: RevocationOutcome): RevocationHeld | undefined {
  if (outcome.withdrawn === 0) return undefined;
  if (!input.settings.revokeWithdrawn) return 'revoke_withdrawn_off';
  const hold = revocationHold({ readComplete: true, ...outcome, valuesRead: input.valuesRead });
  if (hold) return hold;
  return input.dryRun ? 'dry_run' : undefined;
}

/**
 * The candidates still withdrawn once their events are listed again after the read: those whose
 * event changed during the sweep (see changedDuringSweep) wait for the next sweep. A value with no
 * event id (pushed by 1.0.x) cannot be checked and stays a candidate. Throws when MISP fails.
 */
async function keepUnchanged(input: RevocationInput, candidates: readonly Candidate[]): Promise<Candidate[]> {
  const ids = [
    ...new Set(candidates.flatMap(({ record }) => (record.eventId === undefined ? [] : [record.eventId]))),
  ];
  if (ids.length === 0) return [...candidates];
  const now = new Map((await input.listEvents(ids, input.signal)).map((event) => [event.id, event]));
  const changed = new Set(
    ids.filter((id) => changedDuringSweep(now.get(id), input.seenEvents.get(id), input.startedAtMs)),
  );
  return candidates.filter(({ record }) => record.eventId === undefined || !changed.has(record.eventId));
}

/** Revokes the candidates one by one, forgetting each once revoked; stops at the first failure. */
async function revokeCandidates(
  input: RevocationInput,
  revoker: IndicatorRevoker,
  candidates: readonly Candidate[],
  outcome: RevocationOutcome,
): Promise<CycleFailure | undefined> {
  for (const { record, reason } of candidates) {
    const ioc = parseIocKey(record.key);
    if (ioc === undefined) continue;
    try {
      await revoker.revokeValue(ioc, input.signal);
    } catch (error) {
      return cycleFailure('sekoia', error, 0);
    }
    try {
      // Forgotten once revoked: flagged again later, the value is pushed again.
      await input.state.forgetPushed([record.key]);
    } catch (error) {
      return cycleFailure('state', error, 0);
    }
    outcome.revoked += 1;
    if (outcome.revokedExamples.length < REVOKED_EXAMPLES) {
      const { attributeUuid, eventId } = record;
      outcome.revokedExamples.push({ ...ioc, reason, attributeUuid, eventId });
    }
  }
  return undefined;
}

/**
 * The sweep's revocations: finds the values this trigger pushed that MISP withdrew (see
 * withdrawalOf), and with revoke_withdrawn revokes at most `budget` of them, unless the read
 * failed or looks implausibly empty (see revocationHold). Nothing is looked at after a failed read.
 * The candidates' events are listed again first: a value whose event changed during the sweep
 * waits for the next one (see changedDuringSweep); if that listing fails, nothing is revoked.
 */
export async function revokeWithdrawn(
  input: RevocationInput,
): Promise<{ result: RevocationOutcome; failure?: CycleFailure }> {
  const result: RevocationOutcome = {
    pushedInWindow: 0,
    withdrawn: 0,
    revoked: 0,
    revokedExamples: [],
    heldChanged: 0,
  };
  if (!input.readComplete) return { result: { ...result, revocationHeld: 'misp_read_failed' } };
  const budget = input.budget ?? REVOCATION_BUDGET;
  let found;
  try {
    found = await findWithdrawn(input, budget);
  } catch (error) {
    return { result, failure: cycleFailure('state', error, 0) };
  }
  result.pushedInWindow = found.pushedInWindow;
  result.withdrawn = found.withdrawn;
  const held = heldBefore(input, result);
  if (held || result.withdrawn === 0) return { result: { ...result, revocationHeld: held } };
  if (input.revoker === undefined) throw new Error('revoke_withdrawn is on but no revoker was given');
  let unchanged: Candidate[];
  try {
    unchanged = await keepUnchanged(input, found.candidates);
  } catch (error) {
    // As a failed read: what changed cannot be told, so nothing is revoked.
    return {
      result: { ...result, revocationHeld: 'misp_read_failed' },
      failure: cycleFailure('misp', error, 0),
    };
  }
  result.heldChanged = found.candidates.length - unchanged.length;
  const failure = await revokeCandidates(input, input.revoker, unchanged, result);
  if (failure) result.revocationHeld = 'sekoia_failed';
  else if (result.withdrawn > budget) result.revocationHeld = 'budget_reached';
  return { result, failure };
}

/** The two calls of the Sekoia.io client a revocation needs (see src/sekoia/client.ts). */
export interface IndicatorListAndRevoke {
  listIndicators(value: string, signal?: AbortSignal): Promise<Array<{ id: string; revoked: boolean }>>;
  revokeIndicator(indicatorId: string, signal?: AbortSignal): Promise<unknown>;
}

/**
 * Revokes by value through the client: Sekoia.io has no revoke by value, so the collection is
 * listed by `term` (the client keeps the exact matches) and each indicator not revoked yet is
 * revoked (DELETE). Nothing found (already revoked, or expired and purged): nothing to do.
 */
export function revokerOf(client: IndicatorListAndRevoke): IndicatorRevoker {
  return {
    async revokeValue(ioc, signal) {
      const live = (await client.listIndicators(ioc.value, signal)).filter((indicator) => !indicator.revoked);
      for (const indicator of live) await client.revokeIndicator(indicator.id, signal);
      return live.length;
    },
  };
}
