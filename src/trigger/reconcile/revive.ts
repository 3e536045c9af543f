/**
 * Values this trigger revoked that MISP flags again. A revocation cannot be undone and a re-import
 * of a held value changes nothing (docs/apis.md, "Sekoia.io: imports, validity, revocation"): the
 * revoked indicator is deleted for good (force deletion, which Sekoia.io allows 24 hours after the
 * revocation), then the value is pushed again. Until then it waits, counted.
 */
import { DAY_MS } from '../../clock';
import type { Ioc } from '../../pipeline/types';
import type { TriggerState } from '../../state/types';
import type { KeyedIoc } from '../push-queue';
import type { IndicatorRevoker } from './revoke';

/** Sekoia.io deletes a revoked indicator for good only this long after its revocation. */
export const FORCE_DELETION_AFTER_MS = DAY_MS;

/**
 * A revocation is remembered this long: a value MISP flags again later than that is pushed as a
 * new one (its import then changes nothing until the revoked indicator is deleted by hand).
 */
export const REVOCATION_MEMORY_MS = 365 * DAY_MS;

export interface RevivalCounts {
  /** Revoked values flagged again, deleted for good and pushed again (in a dry run: would be). */
  revived: number;
  /** Revoked values flagged again, waiting for the 24 hours after their revocation. */
  waitingDeletion: number;
}

export interface RevivalInput {
  state: TriggerState;
  revoker: IndicatorRevoker | undefined;
  /** The values this trigger revoked (key -> when); a value deleted for good leaves it. */
  revocations: Map<string, number>;
  nowMs: number;
  dryRun: boolean;
  signal: AbortSignal;
  counts: RevivalCounts;
}

/** The revocations still remembered at `nowMs` (older ones dropped). */
export function rememberedRevocations(revocations: Map<string, number>, nowMs: number): Map<string, number> {
  return new Map([...revocations].filter(([, at]) => nowMs - at < REVOCATION_MEMORY_MS));
}

/**
 * Splits a page's flagged values: those this trigger revoked leave `fresh` (returned apart); the
 * ones whose revoked indicator is now deleted for good are returned to push again, the others wait.
 * Throws what the Sekoia.io client throws, but a refused deletion (too early): that one waits.
 */
export async function reviveRevoked(
  input: RevivalInput,
  fresh: ReadonlyMap<string, Ioc>,
): Promise<{ others: Map<string, Ioc>; toPush: KeyedIoc[] }> {
  const others = new Map<string, Ioc>();
  const toPush: KeyedIoc[] = [];
  for (const [key, ioc] of fresh) {
    const revokedAt = input.revocations.get(key);
    if (revokedAt === undefined) {
      others.set(key, ioc);
      continue;
    }
    if (await deletedForGood(input, ioc, revokedAt)) {
      input.revocations.delete(key);
      input.counts.revived += 1;
      toPush.push([key, ioc]);
      continue;
    }
    input.counts.waitingDeletion += 1;
  }
  if (toPush.length > 0 && !input.dryRun) {
    await input.state.setRevocations(input.revocations);
    // Forgotten as pushed: if the push fails, the value is missing for the next cycle or sweep.
    await input.state.forgetPushed(toPush.map(([key]) => key));
  }
  return { others, toPush };
}

async function deletedForGood(input: RevivalInput, ioc: Ioc, revokedAt: number): Promise<boolean> {
  if (input.nowMs - revokedAt < FORCE_DELETION_AFTER_MS) return false;
  if (input.dryRun) return true;
  if (input.revoker === undefined) return false;
  return input.revoker.deleteRevoked(ioc, input.signal);
}
