import { LogRecord, LogShipper } from '../../../src/runtime/log-shipper';
import { createRuntimeLogger } from '../../../src/runtime/logger';
import { Redactor } from '../../../src/redactor';
import { ConsoleCapture, FakeClock, MISP_KEY, TOKEN } from '../../helpers/runtime-fixtures';

function setup(options: { level?: string; colour?: boolean } = {}) {
  const clock = new FakeClock();
  const consoleStream = new ConsoleCapture();
  const shipped: LogRecord[] = [];
  const shipper = new LogShipper({ clock, send: async (logs) => void shipped.push(...logs) });
  const redactor = new Redactor([TOKEN, MISP_KEY]);
  const logger = createRuntimeLogger({ redactor, clock, consoleStream, shipper, ...options });
  return { clock, consoleStream, shipped, shipper, logger, redactor };
}

describe('createRuntimeLogger', () => {
  it('writes one readable line per log to the console and the same line to the shipper', async () => {
    const { logger, consoleStream, shipper, shipped } = setup();
    logger.info('Cycle done: 3 IOCs pushed');
    logger.warning('MISP answered slowly');
    await shipper.flush();
    expect(consoleStream.lines).toEqual([
      '2026-11-28T08:00:00.000Z INFO  Cycle done: 3 IOCs pushed',
      '2026-11-28T08:00:00.000Z WARNING MISP answered slowly',
    ]);
    expect(shipped).toEqual([
      { date: '2026-11-28T08:00:00.000Z', level: 'info', message: 'Cycle done: 3 IOCs pushed' },
      { date: '2026-11-28T08:00:00.000Z', level: 'warning', message: 'MISP answered slowly' },
    ]);
  });

  it('redacts secrets before the console and the shipper see them', async () => {
    const { logger, consoleStream, shipper, shipped, redactor } = setup();
    redactor.add(['sekoia-late-secret']);
    logger.error(`Refused: Authorization: Bearer ${TOKEN}, key ${MISP_KEY}, other sekoia-late-secret`);
    logger.info('proxy http://user:pa55word@proxy.internal:3128 used');
    await shipper.flush();
    const text = consoleStream.text + JSON.stringify(shipped);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(MISP_KEY);
    expect(text).not.toContain('sekoia-late-secret');
    expect(text).not.toContain('pa55word');
    expect(shipped[0].message).toBe('Refused: Authorization: Bearer ***, key ***, other ***');
    expect(shipped[1].message).toBe('proxy http://***@proxy.internal:3128 used');
  });

  it('writes nothing below LOG_LEVEL, and warns about an unknown level', async () => {
    const quiet = setup({ level: 'warning' });
    quiet.logger.info('hidden');
    quiet.logger.debug('hidden');
    quiet.logger.warning('shown');
    expect(quiet.consoleStream.lines).toHaveLength(1);
    const verbose = setup({ level: 'DEBUG' });
    verbose.logger.debug('details');
    expect(verbose.consoleStream.lines).toEqual(['2026-11-28T08:00:00.000Z DEBUG details']);
    const wrong = setup({ level: 'loud' });
    expect(wrong.consoleStream.lines[0]).toMatch(
      /WARNING LOG_LEVEL "loud" is not one of debug, info, warning, error, critical: using info/,
    );
  });

  it('writes the first critical as critical and later ones as errors', async () => {
    const { logger, shipped, shipper } = setup();
    expect(logger.criticalSent).toBe(false);
    logger.critical('Fix the key');
    logger.critical('Another problem');
    await shipper.flush();
    expect(shipped.map((log) => log.level)).toEqual(['critical', 'error']);
    expect(logger.criticalSent).toBe(true);
  });

  it('colours the level only when asked (a TTY)', () => {
    const coloured = setup({ colour: true });
    coloured.logger.error('boom');
    expect(coloured.consoleStream.text).toContain('\u001b[31mERROR\u001b[0m boom');
    const plain = setup();
    plain.logger.error('boom');
    expect(plain.consoleStream.text).not.toContain('\u001b[');
  });

  it('writes console-only lines without shipping them', async () => {
    const { logger, consoleStream, shipper, shipped } = setup();
    logger.consoleOnly('warning', `Cannot ship logs (token ${TOKEN})`);
    await shipper.flush();
    expect(consoleStream.lines).toEqual(['2026-11-28T08:00:00.000Z WARNING Cannot ship logs (token ***)']);
    expect(shipped).toEqual([]);
  });
});
