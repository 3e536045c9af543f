import type { MispEventSummary } from './types';

/**
 * Packing the listed events into groups, each read in one answer. An event's attribute_count counts
 * every attribute it holds; an answer holds only those of the query (IDS, of the wanted types, not
 * dropped by a warninglist): about half of them in practice. Groups are sized by the rows their
 * answers are expected to hold, from the share of attribute_count the answers held so far, so that
 * an answer holds about `rowsPerAnswer` rows: fewer requests (each costs MISP a fixed share of CPU)
 * for answers of a planned size. A group's attribute counts bound its answer whatever the share: at most
 * MAX_COUNT_PER_ROW answers' worth (a wrong guess costs memory once, never a row).
 */

/** Event ids per attributes request: keeps the request body small. */
export const EVENTS_PER_GROUP = 500;
/** The share of attribute_count expected in an answer before any answer is seen. */
export const PRIOR_ROW_SHARE = 0.5;
/** A group's attribute counts add up to at most this many times `rowsPerAnswer`. */
export const MAX_COUNT_PER_ROW = 3;

/** One group: events read in one answer, or one big event read alone page after page. */
export interface EventGroup {
  events: MispEventSummary[];
  /** The events' attribute counts added up (the answer's rows at most). */
  count: number;
  /** Too big for one answer (or of unknown size): read alone, page after page. */
  big: boolean;
}

/** The share of attribute_count that answers hold, learnt from the answers read so far. */
export class RowShare {
  private rows = 0;
  private counted = 0;
  private last = PRIOR_ROW_SHARE;

  /** An answer held `rows` rows for events whose attribute counts add up to `count`. */
  observe(rows: number, count: number): void {
    if (!(count > 0) || !Number.isFinite(count)) return;
    this.rows += rows;
    this.counted += count;
    this.last = Math.min(1, rows / count);
  }

  /** The share to plan with: the larger of all answers' and the last one's (a change shows at once). */
  expected(): number {
    const seen = this.counted > 0 ? this.rows / this.counted : PRIOR_ROW_SHARE;
    return Math.min(1, Math.max(seen, this.last, 1 / MAX_COUNT_PER_ROW));
  }
}

/** Hands out the groups of `events`, in their order, each sized with the share known when it is asked for. */
export class EventPacker {
  private next = 0;
  /** remaining[i]: the finite attribute counts of events[i..] added up. */
  private readonly remaining: number[];
  readonly share = new RowShare();

  constructor(
    private readonly events: readonly MispEventSummary[],
    private readonly rowsPerAnswer: number,
  ) {
    this.remaining = new Array<number>(events.length + 1).fill(0);
    for (let i = events.length - 1; i >= 0; i -= 1) {
      const count = events[i].attributeCount;
      this.remaining[i] = this.remaining[i + 1] + (Number.isFinite(count) ? count : 0);
    }
  }

  /** The attribute counts a group may add up to now. */
  countCap(): number {
    return Math.max(this.rowsPerAnswer, Math.floor(this.rowsPerAnswer / this.share.expected()));
  }

  /**
   * The next group, or undefined at the end. The events left are spread evenly over as few groups
   * as the cap allows, so that the last one is not a sliver: a group takes events until it reaches
   * its even share, never past the cap.
   */
  take(): EventGroup | undefined {
    if (this.next >= this.events.length) return undefined;
    const cap = this.countCap();
    const first = this.events[this.next];
    if (!(first.attributeCount < cap)) {
      this.next += 1;
      return { events: [first], count: first.attributeCount, big: true };
    }
    const left = this.remaining[this.next];
    const target = left / Math.max(1, Math.ceil(left / cap));
    const events: MispEventSummary[] = [];
    let count = 0;
    while (this.next < this.events.length && events.length < EVENTS_PER_GROUP) {
      const attributeCount = this.events[this.next].attributeCount;
      // An event of no attributes costs the answer nothing: it joins whatever the target.
      if (!(count + attributeCount < cap) || (count >= target && attributeCount > 0)) break;
      events.push(this.events[this.next]);
      count += attributeCount;
      this.next += 1;
    }
    return { events, count, big: false };
  }
}
