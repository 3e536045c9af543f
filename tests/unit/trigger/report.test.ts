import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import triggerJson from '../../../trigger_misp_ids_to_ioc.json';
import { Registry } from 'prom-client';
import { runCycle } from '../../../src/trigger/cycle';
import { createTriggerMetrics } from '../../../src/trigger/metrics';
import { cycleEvent } from '../../../src/trigger/cycle-event';
import { EVENT_NAME, invalidValuesLine, summaryLine } from '../../../src/trigger/report';

const TARGET = {
  collectionUuid: 'ioc-collection--00000000-0000-4000-8000-000000000001',
  server: 'https://api.sekoia.io',
};
import { attribute, cycleHarness, ipAttributes } from './support';

function resultsValidator() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  const { $schema: _ignored, ...schema } = triggerJson.results;
  return ajv.compile(schema);
}

/** A small cycle: 2 IPs, one already pushed, one domain, an invalid IPv4, a CIDR, an unsupported type. */
async function smallCycle() {
  const h = cycleHarness([
    [
      attribute('ip-dst', '192.0.2.1'),
      attribute('ip-dst', '192.0.2.2'),
      attribute('domain', 'evil.example.com'),
      attribute('ip-dst', '999.1.1.1'),
      attribute('ip-dst', '198.51.100.0/24'),
      attribute('AS', '64496'),
    ],
  ]);
  h.misp.options = { warninglistSkipped: 5 };
  await h.state.markPushed(['ipv4-addr.value|192.0.2.2'], 86_400_000);
  h.clock.sleep = async (ms) => h.clock.advance(ms);
  const realPush = h.sink.push.bind(h.sink);
  h.sink.push = async (batch, options) => {
    h.clock.advance(1150);
    return realPush(batch, options);
  };
  return { h, report: await runCycle(h.deps) };
}

describe('cycle report', () => {
  it('writes one summary line', async () => {
    const { report } = await smallCycle();
    expect(summaryLine(report, 300)).toBe(
      'Cycle done in 2.3 s: 6 attributes read (events published 2026-11-27 08:00 to 2026-11-28 08:00 UTC, 1 page); ' +
        'pushed 2 IOCs (ipv4-addr.value 1, domain-name.value 1); skipped 4 (already pushed 1, invalid value 2, ' +
        'unsupported type 1); MISP warninglists dropped 5. Next poll in 300 s.',
    );
  });

  it('says briefly when there was nothing new', async () => {
    const h = cycleHarness([]);
    const report = await runCycle(h.deps);
    expect(summaryLine(report, 300)).toBe(
      'Cycle done in 0.0 s: nothing new (no IDS attribute in events published 2026-11-27 08:00 to 2026-11-28 08:00 UTC). Next poll in 300 s.',
    );
    expect(summaryLine(report, undefined)).not.toContain('Next poll');
  });

  it('writes one warning line for invalid values, with examples', async () => {
    const { report } = await smallCycle();
    const line = invalidValuesLine(report);
    expect(line).toMatch(
      /^2 MISP attribute values were skipped because they are invalid \(ip-dst: 2\), e\.g\. ip-dst "999\.1\.1\.1" \(.+\); ip-dst "198\.51\.100\.0\/24" \(.+\)\./,
    );
    const clean = cycleHarness([ipAttributes(2)]);
    expect(invalidValuesLine(await runCycle(clean.deps))).toBeUndefined();
  });

  it('builds an event valid against the results schema', async () => {
    const { h, report } = await smallCycle();
    const validate = resultsValidator();
    const event = cycleEvent(report, TARGET);
    expect(validate(event)).toBe(true);
    expect(event).toEqual({
      summary:
        'MISP IDS -> ioc-collection--00000000-0000-4000-8000-000000000001: pushed 2 IOCs (ipv4-addr.value 1, ' +
        'domain-name.value 1) from 6 MISP attributes; 1 already pushed, 2 invalid. Cycle complete.',
      complete: true,
      collection_uuid: TARGET.collectionUuid,
      server: 'https://api.sekoia.io',
      iocs_pushed: 2,
      attributes_processed: 6,
      iocs_submitted: 2,
      iocs_skipped_invalid: 2,
      iocs_by_format: { 'ipv4-addr.value': 1, 'domain-name.value': 1 },
      skipped: { unsupported_type: 1, invalid_value: 2, already_pushed: 1, rejected: 0 },
      warninglist_skipped: 5,
      refanged: 0,
      pushed_sample: h.sink.acceptedValues().map((line) => {
        const [format, value] = line.split(' ');
        return { format, value };
      }),
      invalid_sample: [
        { type: 'ip-dst', value: '999.1.1.1', problem: expect.any(String) },
        { type: 'ip-dst', value: '198.51.100.0/24', problem: expect.any(String) },
      ],
      task_ids: h.sink.accepted.map((_, i) => `task-${i + 1}`),
      window_start: '2026-11-27T08:00:00Z',
      window_end: '2026-11-28T08:00:00Z',
      duration_seconds: 2.3,
    });
    expect(EVENT_NAME).toBe('MISP IDS attributes pushed');
  });

  it('reports no created/updated/ignored counts: the text import only says it queued the batch', async () => {
    const h = cycleHarness([ipAttributes(3)]);
    const event = cycleEvent(await runCycle(h.deps), TARGET);
    expect(Object.keys(event).filter((key) => /created|updated|ignored/.test(key))).toEqual([]);
    expect(resultsValidator()(event)).toBe(true);
  });

  it('counts attributes, IOCs, skips and cycles in the metrics', async () => {
    const { report } = await smallCycle();
    const registry = new Registry();
    const metrics = createTriggerMetrics(registry);
    metrics.recordCycle(report, Date.UTC(2026, 10, 28, 8, 0, 2));
    // A second registration on the same registry (a second run) reuses the metrics.
    createTriggerMetrics(registry).recordError(1000);
    const text = await registry.metrics();
    expect(text).toContain('misp_ids_attributes_read_total 6');
    expect(text).toContain('misp_ids_iocs_pushed_total{format="domain-name.value"} 1');
    expect(text).toContain('misp_ids_values_skipped_total{reason="invalid_value"} 2');
    expect(text).toContain('misp_ids_cycles_total{outcome="complete"} 1');
    expect(text).toContain('misp_ids_cycles_total{outcome="error"} 1');
    expect(text).toContain(
      `misp_ids_last_success_timestamp_seconds ${Date.UTC(2026, 10, 28, 8, 0, 2) / 1000}`,
    );
    expect(text).toContain('misp_ids_cycle_duration_seconds_count 2');
  });
});
