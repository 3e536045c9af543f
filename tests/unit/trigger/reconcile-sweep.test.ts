import triggerJson from '../../../trigger_misp_ids_to_ioc.json';
import { createAjv } from '../../../src/runtime/schema';
import type { Ioc } from '../../../src/pipeline/types';
import { MispError } from '../../../src/misp/errors';
import { SekoiaError } from '../../../src/sekoia/errors';
import { FakeSink, PUSH_OPERATION } from '../../helpers/fakes';
import type { IndicatorChanges, IndicatorListPage, SekoiaIndicator } from '../../../src/sekoia/indicators';
import type { CollectionAccess } from '../../../src/trigger/reconcile/check-step';
import { runCycle } from '../../../src/trigger/cycle';
import { provenanceOf } from '../../../src/trigger/provenance';
import { DAY_MS, HOUR_MS } from '../../../src/clock';
import { revokerOf, type IndicatorRevoker, type RevokeResult } from '../../../src/trigger/reconcile/revoke';
import { sweepEvent, sweepSummaryLine, revocationHeldLine } from '../../../src/trigger/reconcile/report';
import { runSweep, SweepDependencies } from '../../../src/trigger/reconcile/sweep';
import { attribute, cycleHarness, ipAttributes, settingsFor } from './support';

class FakeRevoker implements IndicatorRevoker {
  readonly revoked: string[] = [];
  readonly deleted: string[] = [];
  failAfter = Infinity;
  /** What revokeValue answers for these values instead of revoking them. */
  readonly answers = new Map<string, RevokeResult>();
  /** deleteRevoked answers false (Sekoia.io refuses: too early) while this is true. */
  refuseDeletion = false;

  async deleteRevoked(ioc: Ioc): Promise<boolean> {
    if (this.refuseDeletion) return false;
    this.deleted.push(`${ioc.format} ${ioc.value}`);
    return true;
  }

  async revokeValue(ioc: Ioc): Promise<RevokeResult> {
    if (this.revoked.length >= this.failAfter) {
      throw new SekoiaError('Sekoia.io was unavailable after 6 attempts (503)', {
        kind: 'unavailable',
        status: 503,
        operation: PUSH_OPERATION,
      });
    }
    const answer = this.answers.get(ioc.value);
    if (answer !== undefined) return answer;
    this.revoked.push(`${ioc.format} ${ioc.value}`);
    return 'revoked';
  }
}

/** The IOC Collection as the check lists it: what the sink accepted, each valid until `validUntilMs`. */
class FakeCollection implements CollectionAccess {
  readonly edits: Array<[string, string | undefined]> = [];
  private readonly validity = new Map<string, string>();

  constructor(
    private readonly sink: FakeSink,
    private readonly validUntilMs: number,
  ) {}

  private items(): SekoiaIndicator[] {
    const values = this.sink.accepted.flatMap((batch) => batch.values);
    return values.map((value, index) => {
      const id = `indicator--${index}`;
      const validUntil =
        this.validity.get(id) ?? new Date(this.validUntilMs).toISOString().replace('.000', '');
      return { id, value, pattern: `[ipv4-addr:value = '${value}']`, revoked: false, validUntil };
    });
  }

  /** The page from this offset fails (Sekoia.io unavailable after the retries). */
  failAtOffset: number | undefined;

  async listCollectionPage(offset: number): Promise<IndicatorListPage> {
    if (offset === this.failAtOffset) {
      throw new SekoiaError('Sekoia.io was unavailable after 6 attempts (503)', {
        kind: 'unavailable',
        status: 503,
        operation: PUSH_OPERATION,
      });
    }
    const all = this.items();
    const items = all.slice(offset, offset + 100);
    return { items, total: all.length, read: items.length, hasMore: offset + items.length < all.length };
  }

  async listIndicators(value: string): Promise<SekoiaIndicator[]> {
    return this.items().filter((item) => item.value === value);
  }

  async editIndicator(id: string, changes: IndicatorChanges): Promise<SekoiaIndicator | undefined> {
    this.edits.push([id, changes.validUntil]);
    if (changes.validUntil !== undefined) this.validity.set(id, changes.validUntil);
    return this.items().find((item) => item.id === id);
  }
}

/** A trigger that pushed `pages` in a first cycle, then a sweep on what MISP serves next. */
async function afterFirstCycle(pages: unknown[][], settings: Record<string, unknown> = {}) {
  const h = cycleHarness(pages, { settings });
  const first = await runCycle(h.deps);
  expect(first.failures).toEqual([]);
  // What the schedule records after the first cycle: the history begins at its window.
  h.state.sweepMarks = { originMs: first.window.startMs, lastSweepAtMs: h.clock.now() };
  const revoker = new FakeRevoker();
  const sweep = (overrides: Partial<SweepDependencies> = {}) =>
    runSweep({ ...h.deps, revoker, ...overrides });
  return { ...h, revoker, sweep };
}

describe('the reconciliation sweep', () => {
  it('pushes what MISP flags and was never pushed, leaves the rest unchanged, and records its source', async () => {
    const t = await afterFirstCycle([ipAttributes(3)]);
    const missed = attribute('domain', 'missed.example');
    t.misp.pages = [[...ipAttributes(3), missed]];
    t.clock.advance(HOUR_MS);
    const report = await t.sweep();
    expect(report).toMatchObject({
      missing: 1,
      refreshed: 0,
      unchanged: 3,
      withdrawn: 0,
      revoked: 0,
      failures: [],
    });
    expect(t.sink.accepted.at(-1)).toEqual({ format: 'domain-name.value', values: ['missed.example'] });
    expect(t.state.records.get('domain-name.value|missed.example')).toMatchObject({
      attributeUuid: missed.uuid,
      eventId: '7',
    });
    expect(sweepSummaryLine(report, 24)).toMatch(
      /^Reconciliation done in .* 4 attributes read \(events published .* UTC\); 3 IOCs unchanged, 1 missing pushed, 0 refreshed .*; none withdrawn\. Next reconciliation in 24 h\.$/,
    );
  });

  it('refreshes by PUT, with a new validity, what is still flagged and would lapse before the next sweep; pushes nothing again', async () => {
    const t = await afterFirstCycle([ipAttributes(2)], { ioc_validity_days: 3 });
    const collection = new FakeCollection(t.sink, Date.parse(t.sink.calls[0].options.validUntil as string));
    const pushes = t.sink.calls.length;
    t.clock.advance(DAY_MS + HOUR_MS);
    const report = await t.sweep({ collection });
    // Valid 3 days, pushed a day ago: lapses within the next 24 h plus the margin.
    expect(report).toMatchObject({ missing: 0, refreshDue: 2, refreshed: 2, unchanged: 0 });
    const newValidity = new Date(t.clock.now() + 3 * DAY_MS).toISOString().replace('.000', '');
    expect(collection.edits).toEqual([
      ['indicator--0', newValidity],
      ['indicator--1', newValidity],
    ]);
    // A re-import would not move valid_until: none is sent.
    expect(t.sink.calls).toHaveLength(pushes);
    expect(t.state.records.get('ipv4-addr.value|10.0.0.0')?.lapsesAtMs).toBe(t.clock.now() + 3 * DAY_MS);
  });

  it("refreshes without ioc_validity_days too: an IP lapses after Sekoia.io's 30 days", async () => {
    const t = await afterFirstCycle([ipAttributes(1)]);
    const collection = new FakeCollection(t.sink, t.clock.now() + 30 * DAY_MS);
    t.clock.advance(27 * DAY_MS);
    t.misp.pages = [ipAttributes(1)];
    // Lapses in 3 days: after the next sweep and its margin (48 h), left as it is.
    expect(await t.sweep({ collection })).toMatchObject({ refreshed: 0, unchanged: 1 });
    t.clock.advance(DAY_MS + HOUR_MS);
    expect(await t.sweep({ collection })).toMatchObject({ refreshed: 1 });
    expect(collection.edits).toEqual([
      ['indicator--0', new Date(t.clock.now() + 30 * DAY_MS).toISOString().replace('.000', '')],
    ]);
  });

  it('a collection check stopped by Sekoia.io is a failure of the sweep; what it did is counted, complete stays false', async () => {
    const t = await afterFirstCycle([ipAttributes(150)], { ioc_validity_days: 3 });
    const collection = new FakeCollection(t.sink, Date.parse(t.sink.calls[0].options.validUntil as string));
    collection.failAtOffset = 100;
    t.clock.advance(DAY_MS + HOUR_MS);
    const report = await t.sweep({ collection });
    expect(report.collectionCheck).toMatchObject({ complete: false, listed: 100, refreshed: 100 });
    expect(report.failures).toEqual([expect.objectContaining({ service: 'sekoia' })]);
    expect(sweepSummaryLine(report, 24)).toMatch(
      /collection check stopped early: 100 indicators listed, 100 given a new expiry/,
    );
  });

  it('without the collection (no Sekoia.io key), a value due for a refresh is counted, never pushed again', async () => {
    const t = await afterFirstCycle([ipAttributes(2)], { ioc_validity_days: 3 });
    const pushes = t.sink.calls.length;
    t.clock.advance(DAY_MS + HOUR_MS);
    expect(await t.sweep()).toMatchObject({ refreshDue: 2, refreshed: 0 });
    expect(t.sink.calls).toHaveLength(pushes);
  });

  it('revokes what this trigger pushed and MISP withdrew, only with revoke_withdrawn, and forgets it', async () => {
    const kept = ipAttributes(200);
    const withdrawn = ipAttributes(2, 1000);
    const off = await afterFirstCycle([[...kept, ...withdrawn]]);
    off.misp.pages = [kept];
    const held = await off.sweep();
    expect(held).toMatchObject({ withdrawn: 2, revoked: 0, revocationHeld: 'revoke_withdrawn_off' });
    expect(off.revoker.revoked).toEqual([]);
    expect(revocationHeldLine(held)?.message).toMatch(/revoke_withdrawn is off/);

    const on = await afterFirstCycle([[...kept, ...withdrawn]], { revoke_withdrawn: true });
    on.misp.pages = [kept];
    on.clock.advance(HOUR_MS);
    const report = await on.sweep();
    expect(report).toMatchObject({ withdrawn: 2, revoked: 2, failures: [] });
    expect(report.revocationHeld).toBeUndefined();
    expect(on.revoker.revoked).toEqual(['ipv4-addr.value 10.0.3.232', 'ipv4-addr.value 10.0.3.233']);
    expect(report.revokedExamples[0]).toMatchObject({
      value: '10.0.3.232',
      eventId: '7',
      reason: 'attribute_withdrawn',
    });
    expect(on.state.forgotten).toEqual(['ipv4-addr.value|10.0.3.232', 'ipv4-addr.value|10.0.3.233']);
    // Flagged again: it waits for the 24 hours after which Sekoia.io deletes a revoked indicator
    // for good (a re-import would not revive it), then it is deleted and pushed again.
    on.misp.pages = [[...kept, ...withdrawn]];
    on.clock.advance(HOUR_MS);
    expect(await on.sweep()).toMatchObject({ waitingDeletion: 2, revived: 0, missing: 0, withdrawn: 0 });
    expect(on.revoker.deleted).toEqual([]);
    on.clock.advance(DAY_MS);
    const pushesBefore = on.sink.acceptedValues().length;
    expect(await on.sweep()).toMatchObject({ waitingDeletion: 0, revived: 2, withdrawn: 0 });
    expect(on.revoker.deleted).toEqual(['ipv4-addr.value 10.0.3.232', 'ipv4-addr.value 10.0.3.233']);
    expect(on.sink.acceptedValues().slice(pushesBefore)).toEqual([
      'ipv4-addr.value 10.0.3.232',
      'ipv4-addr.value 10.0.3.233',
    ]);
    expect(on.state.revocations.size).toBe(0);
  });

  it('tells an attribute withdrawn from an event still read apart from a withdrawn event', async () => {
    const cleared = ipAttributes(1, 5000)[0];
    const ofGoneEvent = { ...attribute('domain', 'gone.example'), event_id: '8' };
    const t = await afterFirstCycle([[...ipAttributes(150), cleared, ofGoneEvent]], {
      revoke_withdrawn: true,
    });
    t.misp.pages = [ipAttributes(150)];
    // Event 8 was deleted from MISP.
    t.misp.options.deletedEvents = ['8'];
    const report = await t.sweep();
    expect(report.revokedExamples).toEqual([
      expect.objectContaining({ value: 'gone.example', reason: 'event_withdrawn', eventId: '8' }),
      expect.objectContaining({
        value: '10.0.19.136',
        reason: 'attribute_withdrawn',
        attributeUuid: cleared.uuid,
      }),
    ]);
  });

  it('never revokes a value whose event aged out of the window', async () => {
    const t = await afterFirstCycle([ipAttributes(150)], { revoke_withdrawn: true, ioc_validity_days: 365 });
    // 40 days on, the first cycle's events are older than the 30-day window: not read, not revoked.
    t.clock.advance(40 * DAY_MS);
    t.misp.pages = [];
    const report = await t.sweep();
    expect(report).toMatchObject({ withdrawn: 0, revoked: 0, pushedInWindow: 0 });
    expect(t.revoker.revoked).toEqual([]);
  });

  it('leaves for the next sweep the values of an event changed in MISP during the sweep, and revokes nothing if MISP cannot tell', async () => {
    const kept = ipAttributes(200);
    const inEvent = (eventId: string, values: Record<string, unknown>[]) =>
      values.map((value) => ({ ...value, event_id: eventId }));
    const republished = inEvent('42', ipAttributes(2, 1000));
    const unpublished = inEvent('43', ipAttributes(1, 1100));
    const t = await afterFirstCycle([[...kept, ...republished, ...unpublished]], { revoke_withdrawn: true });
    t.misp.pages = [kept];
    t.clock.advance(HOUR_MS);
    const startS = Math.floor(t.clock.now() / 1000);
    const event = (id: string, published: boolean, at: number) => ({
      id,
      uuid: '',
      published,
      publishTimestamp: at,
      timestamp: at,
      attributeCount: 2,
    });
    // Event 42 published again while the sweep read MISP; event 43 unpublished before it (an
    // analyst edits it: MISP unpublishes an event on every change), event 44 deleted.
    t.misp.options.eventsNow = [event('42', true, startS + 5), event('43', false, startS - 600)];
    await t.state.markPushed(['ipv4-addr.value|10.0.4.176'], DAY_MS, {
      validUntilMs: t.clock.now() + DAY_MS,
      publishedAfterMs: t.clock.now() - HOUR_MS,
      sources: [{ attributeUuid: 'deleted-attribute', eventId: '44' }],
    });
    const report = await t.sweep();
    expect(t.misp.eventListings).toEqual([['42', '44', '43']]);
    expect(report).toMatchObject({ withdrawn: 4, revoked: 1, heldChanged: 2, pending: 1, failures: [] });
    expect(t.revoker.revoked).toEqual(['ipv4-addr.value 10.0.4.176']);
    expect(sweepSummaryLine(report, 24)).toMatch(
      /4 IOCs withdrawn from MISP: 1 revoked, .*, 1 pending \(their event is unpublished in MISP: being edited\), 2 left for the next reconciliation \(their event changed in MISP during this one\)/,
    );

    // Listing the events again fails: nothing is revoked, as after a failed read.
    t.misp.listEvents = async () => {
      throw new MispError('MISP was unavailable after 6 attempts (503)', {
        kind: 'server',
        status: 503,
        operation: { method: 'POST', url: 'https://misp.example.com/events/restSearch' },
      });
    };
    t.clock.advance(HOUR_MS);
    const failed = await t.sweep();
    expect(failed).toMatchObject({ withdrawn: 3, revoked: 0, revocationHeld: 'misp_read_failed' });
    expect(failed.failures.map((failure) => failure.service)).toEqual(['misp']);
    expect(t.revoker.revoked).toEqual(['ipv4-addr.value 10.0.4.176']);
  });

  it('revokes nothing when the MISP read fails, and says why', async () => {
    const t = await afterFirstCycle([ipAttributes(10), ipAttributes(10, 10)], { revoke_withdrawn: true });
    t.misp.pages = [ipAttributes(10)];
    t.misp.options.failOnPage = 2;
    t.misp.options.error = new MispError('MISP was unavailable after 6 attempts (503)', {
      kind: 'server',
      status: 503,
      operation: { method: 'POST', url: 'https://misp.example.com/attributes/restSearch' },
    });
    const report = await t.sweep();
    expect(report).toMatchObject({ revoked: 0, revocationHeld: 'misp_read_failed' });
    expect(report.failures.map((failure) => failure.service)).toEqual(['misp']);
    expect(t.revoker.revoked).toEqual([]);
  });

  it('revokes nothing when MISP comes back implausibly empty, or with most values gone', async () => {
    const t = await afterFirstCycle([ipAttributes(300)], { revoke_withdrawn: true });
    t.misp.pages = [];
    const empty = await t.sweep();
    expect(empty).toMatchObject({ withdrawn: 300, revoked: 0, revocationHeld: 'misp_read_empty' });
    expect(revocationHeldLine(empty)).toMatchObject({ level: 'warning' });
    t.misp.pages = [ipAttributes(100)];
    expect(await t.sweep()).toMatchObject({ withdrawn: 200, revoked: 0, revocationHeld: 'mostly_withdrawn' });
    expect(t.revoker.revoked).toEqual([]);
  });

  it('revokes at most the budget per sweep, and says so', async () => {
    const t = await afterFirstCycle([ipAttributes(1500)], { revoke_withdrawn: true });
    t.misp.pages = [ipAttributes(1500).slice(0, 1100)];
    const report = await t.sweep();
    expect(report).toMatchObject({ withdrawn: 400, revoked: 400 });
    expect(report.revocationHeld).toBeUndefined();
    const big = await afterFirstCycle([ipAttributes(5000)], { revoke_withdrawn: true });
    big.misp.pages = [ipAttributes(5000).slice(0, 3800)];
    const capped = await big.sweep();
    expect(capped).toMatchObject({ withdrawn: 1200, revoked: 1000, revocationHeld: 'budget_reached' });
    expect(revocationHeldLine(capped)?.message).toMatch(
      /^Revocation budget reached: 1,000 of the 1,200 IOCs/,
    );
  });

  it('stops revoking at a Sekoia.io failure; what was revoked is forgotten, the rest waits', async () => {
    const t = await afterFirstCycle([ipAttributes(300)], { revoke_withdrawn: true });
    t.misp.pages = [ipAttributes(290)];
    t.revoker.failAfter = 4;
    const report = await t.sweep();
    expect(report).toMatchObject({ withdrawn: 10, revoked: 4, revocationHeld: 'sekoia_failed' });
    expect(t.state.forgotten).toHaveLength(4);
  });

  it('in a dry run, counts what it would do and changes nothing', async () => {
    const t = await afterFirstCycle([ipAttributes(150)], { revoke_withdrawn: true });
    t.misp.pages = [[...ipAttributes(140), attribute('domain', 'new.example')]];
    const before = t.sink.calls.length;
    const report = await t.sweep({ dryRun: true, settings: settingsFor({ revoke_withdrawn: true }, true) });
    expect(report).toMatchObject({ missing: 1, withdrawn: 10, revoked: 0, revocationHeld: 'dry_run' });
    expect(t.sink.calls).toHaveLength(before);
    expect(t.revoker.revoked).toEqual([]);
    expect(t.state.forgotten).toEqual([]);
  });

  it("sends an event valid against the trigger file's results schema", async () => {
    const t = await afterFirstCycle([ipAttributes(150)], { revoke_withdrawn: true });
    t.misp.pages = [[...ipAttributes(149), attribute('url', 'http://missed.example/x')]];
    const event = sweepEvent(await t.sweep(), {
      collectionUuid: 'ioc-collection--x',
      server: 'https://api.sekoia.io',
    });
    const validate = createAjv().compile(triggerJson.results);
    expect(validate(event)).toBe(true);
    expect(event.summary).toMatch(
      /^MISP IDS reconciliation -> ioc-collection--x: 1 missing pushed, 0 refreshed, 1 revoked of 1 withdrawn, 149 unchanged\. Complete\.$/,
    );
    expect(event).toMatchObject({
      complete: true,
      kind: 'reconciliation',
      missing_pushed: 1,
      revoked: 1,
      withdrawn: 1,
      unchanged: 149,
    });
  });
});

describe('revoking by value through the Sekoia.io client', () => {
  const provenance = provenanceOf('https://misp.example.com/', 'trigger-a');
  const indicator = (id: string, pattern: string, fields: { revoked?: boolean; description?: string }) => ({
    id,
    value: '192.0.2.7',
    pattern,
    revoked: fields.revoked ?? false,
    description: fields.description,
  });
  const ip = "[ipv4-addr:value = '192.0.2.7']";
  const clientOf = (listed: ReturnType<typeof indicator>[], calls: string[]) => ({
    async listIndicators(value: string) {
      calls.push(`list ${value}`);
      return listed;
    },
    async revokeIndicator(id: string) {
      calls.push(`revoke ${id}`);
      return {};
    },
    async forceDeleteIndicator(id: string) {
      calls.push(`delete ${id}`);
      return true;
    },
  });

  it("revokes only this trigger's live indicators of the value's observable type", async () => {
    const calls: string[] = [];
    const revoker = revokerOf(
      clientOf(
        [
          indicator('indicator--1', ip, { description: provenance }),
          indicator('indicator--2', ip, { revoked: true, description: provenance }),
          indicator('indicator--3', ip, { description: 'an analyst entered it' }),
          indicator('indicator--4', "[url:value = '192.0.2.7']", { description: provenance }),
        ],
        calls,
      ),
      provenance,
    );
    await expect(revoker.revokeValue({ format: 'ipv4-addr.value', value: '192.0.2.7' })).resolves.toBe(
      'revoked',
    );
    expect(calls).toEqual(['list 192.0.2.7', 'revoke indicator--1']);
  });

  it('never revokes what another source created, nor what 1.0 and 1.1 pushed (no provenance), and tells not found apart', async () => {
    const calls: string[] = [];
    const theirs = revokerOf(
      clientOf(
        [
          indicator('indicator--3', ip, { description: 'an analyst entered it' }),
          indicator('indicator--5', ip, {}),
        ],
        calls,
      ),
      provenance,
    );
    await expect(theirs.revokeValue({ format: 'ipv4-addr.value', value: '192.0.2.7' })).resolves.toBe(
      'not_ours',
    );
    const other = revokerOf(
      clientOf(
        [
          indicator('indicator--6', ip, {
            description: provenanceOf('https://misp.example.com', 'trigger-b'),
          }),
        ],
        calls,
      ),
      provenance,
    );
    await expect(other.revokeValue({ format: 'ipv4-addr.value', value: '192.0.2.7' })).resolves.toBe(
      'not_ours',
    );
    const none = revokerOf(
      clientOf([indicator('indicator--4', "[domain-name:value = '192.0.2.7']", {})], calls),
      provenance,
    );
    await expect(none.revokeValue({ format: 'ipv4-addr.value', value: '192.0.2.7' })).resolves.toBe(
      'not_found',
    );
    expect(calls.filter((call) => call.startsWith('revoke'))).toEqual([]);
  });

  it("deletes for good only this trigger's revoked indicators of the value", async () => {
    const calls: string[] = [];
    const revoker = revokerOf(
      clientOf(
        [
          indicator('indicator--1', ip, { revoked: true, description: provenance }),
          indicator('indicator--3', ip, { revoked: true, description: 'an analyst revoked it' }),
        ],
        calls,
      ),
      provenance,
    );
    await expect(revoker.deleteRevoked({ format: 'ipv4-addr.value', value: '192.0.2.7' })).resolves.toBe(
      true,
    );
    expect(calls).toEqual(['list 192.0.2.7', 'delete indicator--1']);
  });
});
