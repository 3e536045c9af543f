import { MispError } from '../../../src/misp/errors';
import { SekoiaError } from '../../../src/sekoia/errors';
import { DATA_FOLDER_FIX, StateError } from '../../../src/state/errors';
import { MAX_BATCH_LINES } from '../../../src/sekoia/types';
import { runCycle } from '../../../src/trigger/cycle';
import { cycleEvent } from '../../../src/trigger/cycle-event';
import { failureLines, rejectedLine, summaryLine } from '../../../src/trigger/report';
import { PUSH_OPERATION, StateOperation } from '../../helpers/fakes';
import { attribute, cycleHarness, ipAttributes, MISP_KEY } from './support';

const DAY = 86_400_000;

function ipsOf(attributes: Record<string, unknown>[]): string[] {
  return attributes.map((a) => `ipv4-addr.value ${String(a.value)}`);
}

describe('runCycle', () => {
  it('maps the pages and pushes batches of at most 1,000 values of one format, then moves the cursor', async () => {
    const page1 = [
      ...ipAttributes(900),
      attribute('domain', 'Evil.Example.COM.'),
      attribute('md5', 'D41D8CD98F00B204E9800998ECF8427E'),
    ];
    const page2 = [...ipAttributes(700, 900), attribute('url', 'http://evil.example.com/x')];
    const h = cycleHarness([page1, page2]);

    const report = await runCycle(h.deps);

    for (const batch of h.sink.accepted) {
      expect(batch.values.length).toBeLessThanOrEqual(MAX_BATCH_LINES);
      expect(new Set(batch.values).size).toBe(batch.values.length);
    }
    // The first full batch went out while reading, before the flush at the end.
    expect(h.sink.accepted[0]).toMatchObject({ format: 'ipv4-addr.value' });
    expect(h.sink.accepted[0].values).toHaveLength(1000);
    expect(h.sink.acceptedValues().sort()).toEqual(
      [
        ...ipsOf([...page1.slice(0, 900), ...page2.slice(0, 700)]),
        'domain-name.value evil.example.com',
        'file.hashes d41d8cd98f00b204e9800998ecf8427e',
        'url.value http://evil.example.com/x',
      ].sort(),
    );
    expect(report).toMatchObject({
      attributesRead: 1603,
      iocsPushed: 1603,
      pages: 2,
      pushedByFormat: { 'ipv4-addr.value': 1600, 'domain-name.value': 1, 'file.hashes': 1, 'url.value': 1 },
      cursorMoved: true,
    });
    expect(report.taskIds).toHaveLength(h.sink.accepted.length);
    expect(h.state.cursor).toBe(h.clock.current);
    expect(h.state.pushed.size).toBe(1603);
    // One state lookup per page (the empty last page needs none).
    expect(h.state.filterCalls).toBe(2);
    // The query: the window in epoch seconds, the enabled types.
    expect(h.misp.queries[0]).toMatchObject({
      publishFrom: (h.clock.current - DAY) / 1000,
      publishTo: h.clock.current / 1000,
      enforceWarninglist: true,
    });
    expect(h.misp.queries[0].types).toContain('ip-dst');
  });

  it('does not mark a failed batch nor move the cursor; the next cycle pushes exactly what was missing', async () => {
    const attributes = ipAttributes(2500);
    const h = cycleHarness([attributes.slice(0, 1200), attributes.slice(1200)]);
    h.sink.unavailableCalls = 0;
    const realPush = h.sink.push.bind(h.sink);
    let calls = 0;
    h.sink.push = async (batch, options) => {
      calls += 1;
      if (calls === 2) h.sink.unavailableCalls = 1;
      return realPush(batch, options);
    };

    const first = await runCycle(h.deps);

    expect(first.failures.map((f) => f.service)).toEqual(['sekoia']);
    expect(first.cursorMoved).toBe(false);
    expect(h.state.cursor).toBeUndefined();
    expect(h.sink.accepted).toHaveLength(1);
    expect(h.state.markCalls).toHaveLength(1);
    expect(h.state.markCalls[0].keys).toHaveLength(1000);
    const failedValues = h.sink.calls[1].batch.values;
    expect(failedValues.some((v) => h.state.pushed.has(`ipv4-addr.value|${v}`))).toBe(false);
    expect(failureLines(first, 300)).toEqual([
      `Pushing to Sekoia.io failed: Sekoia.io was unavailable after 6 attempts (503 Service Unavailable: POST ${PUSH_OPERATION.url}). ` +
        '1 batch (1,000 IOCs) was pushed and recorded; the other 1,500 IOCs read so far and the rest of the window ' +
        'will be pushed by the next cycle in 300 s. Nothing is lost.',
    ]);

    h.clock.advance(300_000);
    const second = await runCycle(h.deps);

    expect(second.failures).toEqual([]);
    expect(second.iocsPushed).toBe(1500);
    expect(second.alreadyPushed).toBe(1000);
    const all = h.sink.acceptedValues();
    expect(all).toHaveLength(2500);
    expect(new Set(all)).toEqual(new Set(ipsOf(attributes)));
    expect(h.state.cursor).toBe(h.clock.current);
    // The second cycle read the same window again: the cursor had not moved.
    expect(h.misp.queries[1].publishFrom).toBe(h.misp.queries[0].publishFrom + 300);
  });

  it('records the events read whole, even when MISP fails later: the next cycle reads only the rest', async () => {
    const attributes = ipAttributes(3000);
    const pages = [attributes.slice(0, 1000), attributes.slice(1000, 2000), attributes.slice(2000)];
    const h = cycleHarness(pages);
    h.misp.options = {
      failOnPage: 3,
      publishTimestamp: Math.floor(h.clock.current / 1000) - 3600,
      error: new MispError('MISP answered 503 after 6 attempts', {
        kind: 'server',
        operation: { method: 'POST', url: 'https://misp.example.com/attributes/restSearch' },
      }),
    };
    const first = await runCycle(h.deps);
    expect(first.failures.map((f) => f.service)).toEqual(['misp']);
    expect(first.events).toEqual({ listed: 3, alreadyRead: 0 });
    expect(h.state.eventsRead.size).toBe(2);

    h.misp.options = { publishTimestamp: h.misp.options.publishTimestamp };
    h.misp.pagesServed = 0;
    h.clock.advance(300_000);
    const second = await runCycle(h.deps);
    expect(second.failures).toEqual([]);
    expect(second.events).toEqual({ listed: 3, alreadyRead: 2 });
    expect(h.misp.pagesServed).toBe(1);
    expect(second.iocsPushed).toBe(1000);
    expect(new Set(h.sink.acceptedValues())).toEqual(new Set(ipsOf(attributes)));
    // A third cycle finds every event read whole: no attribute read at all.
    h.misp.pagesServed = 0;
    const third = await runCycle(h.deps);
    expect(third.events).toEqual({ listed: 3, alreadyRead: 3 });
    expect(h.misp.pagesServed).toBe(0);
    // Other filters (a tag excluded): the events read whole with the old ones are read again.
    h.deps.settings = { ...h.deps.settings, excludeTags: ['tlp:red'] };
    const fourth = await runCycle(h.deps);
    expect(fourth.events).toEqual({ listed: 3, alreadyRead: 0 });
    expect(h.misp.pagesServed).toBe(3);
    const fifth = await runCycle(h.deps);
    expect(fifth.events).toEqual({ listed: 3, alreadyRead: 3 });
  });

  it('does not record as read whole an event changed in the second the cycle started: an edit and a new publication in that second would keep its key', async () => {
    const attributes = ipAttributes(300);
    const h = cycleHarness([attributes.slice(0, 100), attributes.slice(100, 200), attributes.slice(200)]);
    h.misp.options = { publishTimestamp: Math.floor(h.clock.current / 1000) };
    const first = await runCycle(h.deps);
    expect(first.iocsPushed).toBe(300);
    expect(h.state.eventsRead.size).toBe(0);
    h.misp.pagesServed = 0;
    h.clock.advance(2000);
    const second = await runCycle(h.deps);
    expect(second.events).toEqual({ listed: 3, alreadyRead: 0 });
    expect(h.misp.pagesServed).toBe(3);
    // Read in a later second, they are recorded now.
    const third = await runCycle(h.deps);
    expect(third.events).toEqual({ listed: 3, alreadyRead: 3 });
  });

  it('pushes a value seen twice in a page and on two pages once', async () => {
    const h = cycleHarness(
      [
        [
          attribute('ip-dst', '192.0.2.1'),
          attribute('ip-src', '192.0.2.1'),
          attribute('domain|ip', 'a.example.com|192.0.2.1'),
        ],
        [attribute('ip-dst', '192.0.2.1'), attribute('domain', 'A.example.com')],
      ],
      { settings: { attribute_types: ['ip-dst', 'ip-src', 'domain', 'domain|ip'] } },
    );

    const report = await runCycle(h.deps);

    expect(h.sink.acceptedValues().sort()).toEqual([
      'domain-name.value a.example.com',
      'ipv4-addr.value 192.0.2.1',
    ]);
    expect(report.iocsPushed).toBe(2);
    expect(report.alreadyPushed).toBe(4);
  });

  it('pushes once a value that the previous page pushed while this page read the state', async () => {
    // Page 1 fills a batch, pushed while page 2 is read; page 2 holds one of its values again.
    const page1 = ipAttributes(1000);
    const page2 = [...ipAttributes(1, 5), ...ipAttributes(10, 1000)];
    const h = cycleHarness([page1, page2]);
    // Hold the first push until page 2's state read has answered: that read cannot show its marks.
    let page2Read: () => void = () => undefined;
    const page2WasRead = new Promise<void>((resolve) => (page2Read = resolve));
    const filter = h.state.filterUnpushed.bind(h.state);
    h.state.filterUnpushed = async (keys) => {
      const unpushed = await filter(keys);
      if (h.state.filterCalls === 2) page2Read();
      return unpushed;
    };
    const push = h.sink.push.bind(h.sink);
    h.sink.push = async (batch, options) => {
      if (h.sink.calls.length === 0) await page2WasRead;
      return push(batch, options);
    };

    const report = await runCycle(h.deps);

    const values = h.sink.acceptedValues();
    expect(values).toHaveLength(1010);
    expect(new Set(values).size).toBe(1010);
    expect(report).toMatchObject({ iocsPushed: 1010, alreadyPushed: 1, cursorMoved: true });
  });

  it('skips values already pushed by an earlier cycle', async () => {
    const h = cycleHarness([[attribute('ip-dst', '192.0.2.1'), attribute('ip-dst', '192.0.2.2')]]);
    await h.state.markPushed(['ipv4-addr.value|192.0.2.1'], DAY);

    const report = await runCycle(h.deps);

    expect(h.sink.acceptedValues()).toEqual(['ipv4-addr.value 192.0.2.2']);
    expect(report.alreadyPushed).toBe(1);
  });

  it('leaves out only the value Sekoia.io refuses, and still moves the cursor', async () => {
    const attributes = ipAttributes(10);
    const bad = String(attributes[6].value);
    const h = cycleHarness([attributes]);
    h.sink.rejectValues.add(bad);

    const report = await runCycle(h.deps);

    expect(h.sink.acceptedValues().sort()).toEqual(
      ipsOf(attributes)
        .filter((v) => !v.endsWith(` ${bad}`))
        .sort(),
    );
    expect(report.rejected).toBe(1);
    expect(report.iocsPushed).toBe(9);
    expect(h.state.pushed.has(`ipv4-addr.value|${bad}`)).toBe(false);
    expect(report.cursorMoved).toBe(true);
    expect(h.state.cursor).toBe(h.clock.current);
    expect(rejectedLine(report)).toBe(
      // The API's own message, not the whole error: the line stays short and says why.
      `Sekoia.io refused 1 value (invalid indicator "${bad}"), e.g. ipv4-addr.value "${bad}". It was left out; every other IOC of the cycle was ` +
        'pushed. Check these values in MISP: fix them, or clear their IDS flag (to_ids).',
    );
  });

  it('stops narrowing a batch refused whole, and keeps the cursor', async () => {
    const attributes = ipAttributes(1000);
    const h = cycleHarness([attributes]);
    for (const a of attributes) h.sink.rejectValues.add(String(a.value));

    const report = await runCycle(h.deps);

    expect(report.failures[0].error).toBeInstanceOf(SekoiaError);
    expect(h.sink.calls.length).toBeLessThan(300);
    expect(h.state.cursor).toBeUndefined();
  });

  it('an import refused as a whole (the same 400 for the batch and both halves) is split once, then ends the cycle', async () => {
    const h = cycleHarness([ipAttributes(2500)]);
    h.sink.refuseEverything = 'Invalid parameters';

    const report = await runCycle(h.deps);

    // The batch of 1,000, then its two halves: no further split, no other batch this cycle.
    expect(h.sink.calls.map((call) => call.batch.values.length)).toEqual([1000, 500, 500]);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0].error.message).toContain(
      'both halves of the batch were refused with the same message',
    );
    expect(report.rejected).toBe(0);
    expect(h.state.cursor).toBeUndefined();
    expect(h.state.pushed.size).toBe(0);
  });

  it('a 413 halves the batch size for the rest of the cycle, logged once; everything is pushed', async () => {
    const h = cycleHarness([ipAttributes(2500)]);
    h.sink.sizeLimit = { values: 400, status: 413, apiMessage: 'Request Entity Too Large' };

    const report = await runCycle(h.deps);

    const sizes = h.sink.calls.map((call) => call.batch.values.length);
    // 1,000 refused, 500 refused, then pieces of 250: the next batches start at 250.
    expect(sizes.slice(0, 3)).toEqual([1000, 500, 250]);
    expect(Math.max(...sizes.slice(2))).toBe(250);
    expect(h.sink.calls.filter((call) => call.batch.values.length > 400)).toHaveLength(2);
    expect(report.iocsPushed).toBe(2500);
    expect(report.failures).toEqual([]);
    expect(h.state.cursor).toBe(h.clock.current);
    const warnings = h.logger.at('warning').filter((line) => line.includes('for its size'));
    expect(warnings).toEqual([
      'Sekoia.io refused a batch for its size with 413 (Request Entity Too Large): the batches of this cycle are ' +
        'cut to 500 IOCs (halved again if refused again) and the next cycle starts again at 1,000. Nothing is ' +
        'lost; if this comes back every cycle, tell Sekoia.io support.',
    ]);
  });

  it('a 400 naming the size halves the batch too', async () => {
    const h = cycleHarness([ipAttributes(1200)]);
    h.sink.sizeLimit = {
      values: 600,
      status: 400,
      apiMessage: 'indicators holds 1000 lines; at most 600 per request',
    };

    const report = await runCycle(h.deps);

    expect(h.sink.calls.map((call) => call.batch.values.length)).toEqual([1000, 500, 500, 200]);
    expect(report.iocsPushed).toBe(1200);
    expect(report.rejected).toBe(0);
    expect(h.logger.at('warning').filter((line) => line.includes('for its size'))).toEqual([
      expect.stringContaining('with 400 (indicators holds 1000 lines; at most 600 per request)'),
    ]);
  });

  it('with ioc_context, groups each request by event and says where its IOCs come from; an IOC of two events keeps the first', async () => {
    const inEvent = (id: string, info: string, type: string, value: string) => ({
      ...attribute(type, value),
      event_id: id,
      Event: { id, info },
      Tag: [{ name: 'tlp:green' }],
    });
    const h = cycleHarness(
      [
        [
          inEvent('7', 'phishing wave', 'ip-dst', '192.0.2.1'),
          inEvent('7', 'phishing wave', 'ip-dst', '192.0.2.2'),
          inEvent('8', `C2 ${MISP_KEY}`, 'ip-dst', '192.0.2.3'),
          inEvent('9', 'loader drop', 'ip-dst', '192.0.2.1'),
          inEvent('9', 'loader drop', 'domain', 'evil.example'),
        ],
      ],
      { settings: { ioc_context: true } },
    );

    await runCycle(h.deps);

    expect(h.sink.calls.map((call) => [call.batch.values, call.options.description])).toEqual([
      [
        ['192.0.2.1', '192.0.2.2'],
        'MISP event 7 (https://misp.example.com/events/view/7): phishing wave. Tags: tlp:green',
      ],
      // A description that would hold a key is not sent.
      [['192.0.2.3'], undefined],
      [
        ['evil.example'],
        'MISP event 9 (https://misp.example.com/events/view/9): loader drop. Tags: tlp:green',
      ],
    ]);
  });

  it('without ioc_context, one request per format and no description', async () => {
    const h = cycleHarness([
      [attribute('ip-dst', '192.0.2.1'), { ...attribute('ip-dst', '192.0.2.2'), event_id: '8' }],
    ]);
    await runCycle(h.deps);
    expect(h.sink.calls.map((call) => [call.batch.values.length, call.options.description])).toEqual([
      [2, undefined],
    ]);
  });

  it("remembers each pushed key for half of Sekoia.io's default validity of its type", async () => {
    const h = cycleHarness([[attribute('ip-dst', '192.0.2.9'), attribute('domain', 'evil.example')]]);

    await runCycle(h.deps);

    const day = 86_400_000;
    expect(h.state.markCalls.map((call) => call.ttlMs).sort((a, b) => a - b)).toEqual([15 * day, 90 * day]);
  });

  it('when MISP fails on page 3, pushes and marks pages 1-2, keeps the cursor, and says the next cycle reads again', async () => {
    const page1 = ipAttributes(3, 0);
    const page2 = ipAttributes(3, 100);
    const h = cycleHarness([page1, page2, ipAttributes(3, 200)]);
    h.misp.options = {
      failOnPage: 3,
      error: new MispError(
        'MISP answered 503 for POST https://misp.example.com/attributes/restSearch after 6 attempts: the MISP server is failing; the next cycle retries',
        {
          kind: 'server',
          status: 503,
          operation: { method: 'POST', url: 'https://misp.example.com/attributes/restSearch' },
        },
      ),
    };

    const report = await runCycle(h.deps);

    expect(h.sink.acceptedValues().sort()).toEqual(ipsOf([...page1, ...page2]).sort());
    expect(h.state.pushed.size).toBe(6);
    expect(h.state.cursor).toBeUndefined();
    expect(report.failures.map((f) => f.service)).toEqual(['misp']);
    expect(failureLines(report, 300)).toEqual([
      'Reading MISP failed after 2 pages: MISP answered 503 for POST https://misp.example.com/attributes/restSearch ' +
        'after 6 attempts: the MISP server is failing; the next cycle retries. 1 batch (6 IOCs) was pushed and ' +
        'recorded. The window (events published 2026-11-27 08:00 to 2026-11-28 08:00 UTC) is read again by the ' +
        'next cycle in 300 s. Nothing is lost.',
    ]);
  });

  it('lets a fatal error through', async () => {
    const h = cycleHarness([ipAttributes(2)]);
    h.sink.nextError = new SekoiaError('Sekoia.io refused sekoia_api_key (401)', {
      kind: 'auth',
      status: 401,
      operation: PUSH_OPERATION,
    });
    await expect(runCycle(h.deps)).rejects.toMatchObject({ kind: 'auth', fatal: true });
    expect(h.state.pushed.size).toBe(0);
  });

  it('lets an abort through without marking anything more', async () => {
    const controller = new AbortController();
    const h = cycleHarness([ipAttributes(2), ipAttributes(2, 10)]);
    h.deps = { ...h.deps, signal: controller.signal };
    h.sink.push = async () => {
      controller.abort();
      throw new (await import('../../../src/errors')).AbortedError();
    };
    await expect(runCycle(h.deps)).rejects.toMatchObject({ name: 'AbortedError' });
    expect(h.state.cursor).toBeUndefined();
  });

  it('sends valid_until and marks keys with the TTL when ioc_validity_days is set', async () => {
    const h = cycleHarness([ipAttributes(1)], { settings: { ioc_validity_days: 10 } });
    await runCycle(h.deps);
    expect(h.sink.calls[0].options.validUntil).toBe('2026-12-08T08:00:00Z');
    expect(h.state.markCalls[0].ttlMs).toBe(5 * DAY);
  });

  describe('history on demand', () => {
    const cursorOf = (h: ReturnType<typeof cycleHarness>): number => h.clock.current - 300_000;

    it('reads a raised publish_timestamp once, says so, remembers it, then goes on from the cursor', async () => {
      const h = cycleHarness([ipAttributes(2)], { settings: { publish_timestamp: 7 } });
      h.state.cursor = cursorOf(h);
      h.state.appliedWindowDays = 1;
      const report = await runCycle(h.deps);
      expect(h.misp.queries[0].publishFrom).toBe((h.clock.current - 7 * DAY) / 1000);
      expect(report.window.historyFromDays).toBe(1);
      expect(h.logger.at('info')).toContain(
        'publish_timestamp was raised from 1 to 7 days: this cycle reads the events published since ' +
          '2026-11-21 08:00 UTC once (values already pushed are skipped), then the trigger goes on from where it stopped.',
      );
      expect(h.state.appliedWindowDays).toBe(7);
      expect(h.sink.acceptedValues()).toHaveLength(2);

      // The next cycle: from the cursor again, no history line.
      h.clock.advance(300_000);
      const next = await runCycle(h.deps);
      expect(h.misp.queries[1].publishFrom).toBe((h.clock.current - 300_000 - 600_000) / 1000);
      expect(next.window.historyFromDays).toBeUndefined();
    });

    it('reads the history again when the cycle that read it did not complete', async () => {
      const h = cycleHarness([ipAttributes(2)], { settings: { publish_timestamp: 7 } });
      h.state.cursor = cursorOf(h);
      h.state.appliedWindowDays = 1;
      h.sink.nextError = new SekoiaError('Sekoia.io answered 503 for POST /x after 6 attempts', {
        kind: 'unavailable',
        status: 503,
        operation: PUSH_OPERATION,
      });
      const failed = await runCycle(h.deps);
      expect(failed.failures).toHaveLength(1);
      expect(h.state.appliedWindowDays).toBe(1);
      await runCycle(h.deps);
      expect(h.misp.queries[1].publishFrom).toBe((h.clock.current - 7 * DAY) / 1000);
      expect(h.state.appliedWindowDays).toBe(7);
    });

    it('records the window of a state from 1.0.x as applied, without reading history', async () => {
      const h = cycleHarness([[]], { settings: { publish_timestamp: 7 } });
      h.state.cursor = cursorOf(h);
      await runCycle(h.deps);
      expect(h.misp.queries[0].publishFrom).toBe((cursorOf(h) - 600_000) / 1000);
      expect(h.state.appliedWindowDays).toBe(7);
    });

    it('writes nothing more in a quiet cycle once the window is recorded', async () => {
      const h = cycleHarness([[]], { settings: { publish_timestamp: 3 } });
      h.state.cursor = cursorOf(h);
      h.state.appliedWindowDays = 7;
      const setApplied = jest.spyOn(h.state, 'setAppliedWindowDays');
      await runCycle(h.deps);
      expect(setApplied).not.toHaveBeenCalled();
      expect(h.misp.queries[0].publishFrom).toBe((cursorOf(h) - 600_000) / 1000);
    });
  });

  it('counts defanged values it pushed refanged, in the summary line and the event', async () => {
    const h = cycleHarness([
      [attribute('url', 'hxxp://evil[.]example[.]com/a'), attribute('domain', 'c2[.]example[.]net')],
    ]);
    const report = await runCycle(h.deps);
    expect(h.sink.acceptedValues().sort()).toEqual([
      'domain-name.value c2.example.net',
      'url.value http://evil.example.com/a',
    ]);
    expect(report.refanged).toBe(2);
    expect(summaryLine(report, 300)).toContain('; refanged 2 (hxxp://, [.])');
    expect(cycleEvent(report, { collectionUuid: 'c', server: 's' }).refanged).toBe(2);
  });

  it('tells an incomplete cycle in its event: complete false and why', async () => {
    const h = cycleHarness([ipAttributes(2), ipAttributes(2, 10)]);
    h.misp.options = {
      failOnPage: 2,
      error: new MispError('MISP could not be reached for POST /attributes/restSearch (ECONNRESET)', {
        kind: 'unavailable',
        operation: { method: 'POST', url: 'https://misp.example.com/attributes/restSearch' },
      }),
    };
    const event = cycleEvent(await runCycle(h.deps), { collectionUuid: 'c', server: 's' });
    expect(event).toMatchObject({
      complete: false,
      incomplete_reason:
        'reading MISP failed: MISP could not be reached for POST /attributes/restSearch (ECONNRESET)',
      iocs_pushed: 2,
    });
    expect(event.summary).toMatch(
      /Cycle incomplete \(reading MISP failed: .*\): the next cycle pushes the rest\.$/,
    );
  });

  it('continues from the cursor minus the overlap', async () => {
    const h = cycleHarness([[]]);
    h.state.cursor = h.clock.current - 300_000;
    await runCycle(h.deps);
    expect(h.misp.queries[0].publishFrom).toBe((h.clock.current - 300_000 - 600_000) / 1000);
  });

  it('in a dry run, pushes nothing and writes nothing to the state', async () => {
    const h = cycleHarness(
      [
        [attribute('ip-dst', '192.0.2.1'), attribute('domain', 'a.example.com')],
        [attribute('ip-dst', '192.0.2.1')],
      ],
      { dryRun: true },
    );
    const report = await runCycle(h.deps);
    expect(h.sink.calls).toHaveLength(0);
    expect(h.state.markCalls).toHaveLength(0);
    expect(h.state.cursor).toBeUndefined();
    expect(report.iocsPushed).toBe(2);
    expect(report.dryRunExamples).toEqual({
      'ipv4-addr.value': ['192.0.2.1'],
      'domain-name.value': ['a.example.com'],
    });
    expect(report.cursorMoved).toBe(false);
  });

  describe('when the state fails during a cycle', () => {
    const FILE = '/symphony_data/misp-ids-to-ioc.sqlite';
    function diskFull(operation: string): StateError {
      const driver = new Error('SQLITE_FULL: database or disk is full');
      return new StateError(
        `Could not ${operation} in the state file ${FILE}: ${driver.message}`,
        FILE,
        driver,
      );
    }
    function failingAt(operation: StateOperation, what: string) {
      const h = cycleHarness([ipAttributes(3), ipAttributes(3, 100)]);
      h.state.failing.set(operation, diskFull(what));
      return h;
    }
    const next =
      'The cursor did not move: the next cycle in 300 s reads the window again and pushes what was not recorded (Sekoia.io ignores a value pushed twice). Nothing is lost.';

    it('reading the pushed IOCs: reports a state failure with the data-folder fix, pushes nothing', async () => {
      const h = failingAt('filterUnpushed', 'read the pushed IOCs');

      const report = await runCycle(h.deps);

      expect(report.failures.map((f) => f.service)).toEqual(['state']);
      expect(h.sink.calls).toHaveLength(0);
      expect(h.state.cursor).toBeUndefined();
      expect(report.cursorMoved).toBe(false);
      expect(failureLines(report, 300)).toEqual([
        `The trigger's state failed: Could not read the pushed IOCs in the state file ${FILE}: SQLITE_FULL: database ` +
          `or disk is full. ${DATA_FOLDER_FIX} No batch was pushed in this cycle. ${next}`,
      ]);
    });

    it('recording an accepted batch: reports a state failure, not a Sekoia.io one', async () => {
      const h = failingAt('markPushed', 'record the pushed IOCs');

      const report = await runCycle(h.deps);

      expect(h.sink.accepted).toHaveLength(1);
      expect(h.state.pushed.size).toBe(0);
      expect(report.failures.map((f) => f.service)).toEqual(['state']);
      expect(report.failures[0].iocsNotPushed).toBe(6);
      expect(h.state.cursor).toBeUndefined();
      expect(failureLines(report, 300)).toEqual([
        `The trigger's state failed: Could not record the pushed IOCs in the state file ${FILE}: SQLITE_FULL: ` +
          `database or disk is full. ${DATA_FOLDER_FIX} No batch was pushed in this cycle. ${next}`,
      ]);
    });

    it('saving the cursor: reports a state failure after every batch went through', async () => {
      const h = failingAt('setCursor', 'save the cursor');

      const report = await runCycle(h.deps);

      expect(h.state.pushed.size).toBe(6);
      expect(report.failures.map((f) => f.service)).toEqual(['state']);
      expect(report.cursorMoved).toBe(false);
      expect(failureLines(report, 300)).toEqual([
        `The trigger's state failed: Could not save the cursor in the state file ${FILE}: SQLITE_FULL: database or ` +
          `disk is full. ${DATA_FOLDER_FIX} 1 batch (6 IOCs) was pushed and recorded. ${next}`,
      ]);
    });

    it('reading the cursor: throws the state error before reading MISP', async () => {
      const h = failingAt('getCursor', 'read the cursor');

      await expect(runCycle(h.deps)).rejects.toBeInstanceOf(StateError);
      expect(h.misp.queries).toHaveLength(0);
    });
  });

  it('reports both when MISP fails and the push of what was read then fails', async () => {
    const h = cycleHarness([ipAttributes(3), ipAttributes(3, 100)]);
    h.misp.options = {
      failOnPage: 2,
      error: new MispError(
        'MISP answered 503 for POST https://misp.example.com/attributes/restSearch after 6 attempts',
        {
          kind: 'server',
          status: 503,
          operation: { method: 'POST', url: 'https://misp.example.com/attributes/restSearch' },
        },
      ),
    };
    h.sink.unavailableCalls = 1;

    const report = await runCycle(h.deps);

    expect(report.failures.map((f) => [f.service, f.iocsNotPushed])).toEqual([
      ['misp', 0],
      ['sekoia', 3],
    ]);
    const lines = failureLines(report, 300);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Reading MISP failed after 1 page: MISP answered 503 /);
    expect(lines[1]).toMatch(/^Pushing to Sekoia.io failed: Sekoia.io was unavailable after 6 attempts /);
    expect(lines[1]).toContain('the other 3 IOCs read so far');
  });
});
