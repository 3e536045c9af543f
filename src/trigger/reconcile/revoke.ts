import type { MispEventSummary } from '../../misp/types';
import { parseIocKey } from '../../pipeline/keys';
import type { Ioc } from '../../pipeline/types';
import type { PushedRecord, TriggerState } from '../../state/types';
import { SekoiaError } from '../../sekoia/errors';
import type { TriggerSettings } from '../config';
import { formatOfPattern } from '../../sekoia/indicators';
import { isOurs, type ListedIndicator } from '../provenance';
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

/**
 * What a revocation of one value found: `revoked` (this trigger's indicator of the value is revoked
 * now, or was already), `not_found` (no indicator of this value and type: tried again at the next
 * sweeps), `not_ours` (held by another source, or pushed before this trigger named itself: never
 * revoked).
 */
export type RevokeResult = 'revoked' | 'not_found' | 'not_ours';

/** Revokes values in the IOC Collection (Sekoia.io has no revoke by value: list, then DELETE). */
export interface IndicatorRevoker {
  /** Revokes this trigger's indicators of this exact value and observable type (see provenance.ts). */
  revokeValue(ioc: Ioc, signal?: AbortSignal): Promise<RevokeResult>;
  /**
   * Deletes for good this trigger's revoked indicators of the value (force_deletion), so that it
   * can be imported again. False while Sekoia.io refuses (24 hours after the revocation at least).
   */
  deleteRevoked(ioc: Ioc, signal?: AbortSignal): Promise<boolean>;
}

/** Why withdrawn values were left in the IOC Collection. */
export type RevocationHeld =
  | RevocationHold
  | 'revoke_withdrawn_off'
  | 'budget_reached'
  | 'sekoia_failed'
  | 'sweep_incomplete'
  | 'dry_run';

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
  /** Withdrawn-looking values whose event is unpublished in MISP (edited): neither revoked nor refreshed. */
  pending: number;
  /** Withdrawn values with no indicator of theirs in the collection: the record is kept, tried again. */
  notFound: number;
  /** Withdrawn values whose indicator another source created (or 1.0/1.1 pushed): never revoked. */
  notOurs: number;
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
  /**
   * The MISP read went to the end of the window and every push and state write along it
   * succeeded; otherwise what stopped it first ('misp': the read; 'other': a push or the state).
   */
  readComplete: boolean;
  stoppedBy?: 'misp' | 'other';
  valuesRead: number;
  /** @default REVOCATION_BUDGET */
  budget?: number;
  /** When the sweep started (before its read): a change since then may have hidden values. */
  startedAtMs: number;
  /** The events the read listed (and read whole), with their marks as listed. */
  seenEvents: ReadonlyMap<string, EventStamp>;
  /** Lists these events as MISP holds them now (MispClient.listEvents). */
  listEvents(ids: readonly string[], signal?: AbortSignal): Promise<MispEventSummary[]>;
  /** The values this trigger revoked (key -> when); each new revocation is added and saved. */
  revocations: Map<string, number>;
  now(): number;
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

/** The candidates as their events stand now: to revoke, pending (unpublished) or changed during the sweep. */
interface ByEvent {
  revocable: Candidate[];
  pending: number;
  changed: number;
}

/**
 * Lists the candidates' events again after the read. An event unpublished now is being edited: its
 * values are pending (MISP unpublishes an event on every change; only what a published event shows
 * may revoke). One changed during the sweep (see changedDuringSweep) waits for the next sweep. A
 * gone event is deleted: its values are withdrawn. A value with no event id (pushed by 1.0.x)
 * cannot be checked and stays a candidate. Throws when MISP fails.
 */
async function sortByEvent(input: RevocationInput, candidates: readonly Candidate[]): Promise<ByEvent> {
  const ids = [
    ...new Set(candidates.flatMap(({ record }) => (record.eventId === undefined ? [] : [record.eventId]))),
  ];
  const sorted: ByEvent = { revocable: [], pending: 0, changed: 0 };
  const now = new Map(
    ids.length === 0 ? [] : (await input.listEvents(ids, input.signal)).map((event) => [event.id, event]),
  );
  for (const candidate of candidates) {
    const eventId = candidate.record.eventId;
    const event = eventId === undefined ? undefined : now.get(eventId);
    if (event !== undefined && !event.published) sorted.pending += 1;
    else if (
      eventId !== undefined &&
      changedDuringSweep(event, input.seenEvents.get(eventId), input.startedAtMs)
    )
      sorted.changed += 1;
    else sorted.revocable.push(candidate);
  }
  return sorted;
}

/** Records one value's revocation (so that, flagged again, it waits for its deletion) and forgets it as pushed. */
async function recordRevoked(input: RevocationInput, key: string, result: RevokeResult): Promise<void> {
  if (result === 'revoked') {
    input.revocations.set(key, input.now());
    await input.state.setRevocations(input.revocations);
  }
  await input.state.forgetPushed([key]);
}

/**
 * Revokes the candidates one by one; stops at the first failure. A value not found keeps its
 * record (tried again at the next sweeps, until it lapses); one revoked, or held by another
 * source, is forgotten as pushed.
 */
async function revokeCandidates(
  input: RevocationInput,
  revoker: IndicatorRevoker,
  candidates: readonly Candidate[],
  outcome: RevocationOutcome,
): Promise<CycleFailure | undefined> {
  for (const { record, reason } of candidates) {
    const ioc = parseIocKey(record.key);
    if (ioc === undefined) continue;
    let result: RevokeResult;
    try {
      result = await revoker.revokeValue(ioc, input.signal);
    } catch (error) {
      return cycleFailure('sekoia', error, 0);
    }
    if (result === 'not_found') {
      outcome.notFound += 1;
      continue;
    }
    try {
      await recordRevoked(input, record.key, result);
    } catch (error) {
      return cycleFailure('state', error, 0);
    }
    if (result === 'not_ours') {
      outcome.notOurs += 1;
      continue;
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
    pending: 0,
    notFound: 0,
    notOurs: 0,
  };
  if (!input.readComplete) {
    const revocationHeld = input.stoppedBy === 'other' ? 'sweep_incomplete' : 'misp_read_failed';
    return { result: { ...result, revocationHeld } };
  }
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
  let byEvent: ByEvent;
  try {
    byEvent = await sortByEvent(input, found.candidates);
  } catch (error) {
    // As a failed read: what changed cannot be told, so nothing is revoked.
    return {
      result: { ...result, revocationHeld: 'misp_read_failed' },
      failure: cycleFailure('misp', error, 0),
    };
  }
  result.heldChanged = byEvent.changed;
  result.pending = byEvent.pending;
  const failure = await revokeCandidates(input, input.revoker, byEvent.revocable, result);
  if (failure) result.revocationHeld = 'sekoia_failed';
  else if (result.withdrawn > budget) result.revocationHeld = 'budget_reached';
  return { result, failure };
}

/** The calls of the Sekoia.io client a revocation needs (see src/sekoia/client.ts). */
export interface IndicatorListAndRevoke {
  listIndicators(
    value: string,
    signal?: AbortSignal,
  ): Promise<Array<ListedIndicator & { id: string; revoked: boolean }>>;
  revokeIndicator(indicatorId: string, signal?: AbortSignal): Promise<unknown>;
  forceDeleteIndicator(indicatorId: string, signal?: AbortSignal): Promise<boolean>;
}

/**
 * Revokes by value through the client: Sekoia.io has no revoke by value, so the collection is
 * listed by `term` (the client keeps the exact matches), and only this trigger's indicators of
 * the value's observable type (see isOurs) are revoked (DELETE), never another source's.
 */
export function revokerOf(client: IndicatorListAndRevoke, provenance: string | undefined): IndicatorRevoker {
  return {
    async revokeValue(ioc, signal) {
      const listed = await client.listIndicators(ioc.value, signal);
      const ours = listed.filter((indicator) => isOurs(indicator, ioc, provenance));
      let revoked = ours.some((indicator) => indicator.revoked);
      for (const indicator of ours.filter((one) => !one.revoked)) {
        // Undefined: Sekoia.io no longer knows it (404).
        if ((await client.revokeIndicator(indicator.id, signal)) !== undefined) revoked = true;
      }
      if (revoked) return 'revoked';
      const held = listed.some((indicator) => formatOfPattern(indicator.pattern) === ioc.format);
      return held && ours.length === 0 ? 'not_ours' : 'not_found';
    },
    async deleteRevoked(ioc, signal) {
      const listed = await client.listIndicators(ioc.value, signal);
      for (const indicator of listed.filter((one) => one.revoked && isOurs(one, ioc, provenance))) {
        try {
          await client.forceDeleteIndicator(indicator.id, signal);
        } catch (error) {
          // Refused: the 24 hours after the revocation have not passed by Sekoia.io's clock.
          if (error instanceof SekoiaError && error.kind === 'rejected') return false;
          throw error;
        }
      }
      return true;
    },
  };
}
