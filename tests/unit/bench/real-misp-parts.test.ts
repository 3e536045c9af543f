import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardedPath, startCountingProxy, totalRequests } from '../../../tools/bench/counting-proxy';
import {
  cpuSpent,
  parseProcStat,
  selectMispProcesses,
  type CpuSnapshot,
  type ProcessEntry,
} from '../../../tools/bench/misp-processes';
import { parseBenchArgs } from '../../../tools/bench/args';
import { parseRealMispArgs } from '../../../tools/bench/real-misp';
import { FLOOR_PAGE_SIZE, isLastPage } from '../../../tools/bench/real-misp-floor';

/** A /proc/<pid>/stat line: pid, (name), state, ppid, then fields 5..13, utime (14), stime (15), ... */
function statLine(pid: number, name: string, ppid: number, utime: number, stime: number): string {
  const middle = Array.from({ length: 9 }, (_, i) => String(i)).join(' ');
  return `${pid} (${name}) S ${ppid} ${middle} ${utime} ${stime} 0 0 20 0 1 0 12345`;
}

function entry(pid: number, name: string, ppid: number, commandLine: string, ticks = 0): ProcessEntry {
  return { stat: { pid, name, ppid, cpuTicks: ticks }, commandLine };
}

describe('parseProcStat', () => {
  it('reads the pid, the name, the parent and utime + stime', () => {
    expect(parseProcStat(statLine(4242, 'mariadbd', 1, 1500, 250))).toEqual({
      pid: 4242,
      name: 'mariadbd',
      ppid: 1,
      cpuTicks: 1750,
    });
  });

  it('takes a name holding spaces and parentheses whole (up to the last ")")', () => {
    expect(parseProcStat(statLine(7, 'php (worker) x', 3, 10, 5))).toMatchObject({
      name: 'php (worker) x',
      ppid: 3,
      cpuTicks: 15,
    });
  });

  it('answers undefined on a line that is not a stat line', () => {
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('12 (php) S x')).toBeUndefined();
  });
});

describe('selectMispProcesses', () => {
  const entries = [
    entry(10, 'php', 1, 'php -S 127.0.0.1:18082 -t /tmp/realmisp-bench/misp/app/webroot'),
    entry(11, 'php', 10, 'php -S 127.0.0.1:18082 -t /tmp/realmisp-bench/misp/app/webroot'),
    entry(20, 'php', 1, 'php -S 127.0.0.1:18080 -t /tmp/realmisp/misp/app/webroot'),
    entry(30, 'mariadbd', 1, 'mariadbd --datadir=/tmp/realmisp-bench/mysql'),
    entry(31, 'mariadbd', 1, 'mariadbd --datadir=/tmp/realmisp/mysql'),
    entry(40, 'node', 1, 'node bench 127.0.0.1:18082 /tmp/realmisp-bench/'),
    entry(50, 'sh', 11, 'sh -c something'),
  ];

  it("keeps the marked PHP and database processes and their descendants, not another instance's", () => {
    expect(selectMispProcesses(entries, ['127.0.0.1:18082', '/tmp/realmisp-bench/'])).toEqual([
      10, 11, 30, 50,
    ]);
  });

  it('leaves out a process of another name even when its command line holds a mark', () => {
    expect(selectMispProcesses(entries, ['/tmp/realmisp-bench/'])).not.toContain(40);
  });

  it('finds nothing without a matching mark', () => {
    expect(selectMispProcesses(entries, ['127.0.0.1:9'])).toEqual([]);
  });
});

describe('cpuSpent', () => {
  it('sums the ticks spent by name; a process started in between counts from zero', () => {
    const before: CpuSnapshot = new Map([
      [10, { name: 'php', ticks: 100 }],
      [30, { name: 'mariadbd', ticks: 1000 }],
    ]);
    const after: CpuSnapshot = new Map([
      [10, { name: 'php', ticks: 250 }],
      [11, { name: 'php', ticks: 50 }],
      [30, { name: 'mariadbd', ticks: 1100 }],
    ]);
    expect(cpuSpent(before, after, 100)).toEqual({ total: 3, byName: { php: 2, mariadbd: 1 } });
  });
});

describe('isLastPage', () => {
  it('ends the export at a page with fewer rows than asked, warninglisted rows counted', () => {
    expect(isLastPage(FLOOR_PAGE_SIZE, 0, FLOOR_PAGE_SIZE)).toBe(false);
    expect(isLastPage(FLOOR_PAGE_SIZE - 3, 3, FLOOR_PAGE_SIZE)).toBe(false);
    expect(isLastPage(FLOOR_PAGE_SIZE - 3, 0, FLOOR_PAGE_SIZE)).toBe(true);
    expect(isLastPage(0, 0, FLOOR_PAGE_SIZE)).toBe(true);
  });
});

describe('parseRealMispArgs', () => {
  const env = { MISP_URL: 'http://127.0.0.1:18082', MISP_KEY: 'k' };

  it("marks MISP's processes by its host:port and the marks given", () => {
    expect(parseRealMispArgs(['--processes', '/tmp/realmisp-bench/,x', '--page-size', '5000'], env)).toEqual({
      mispUrl: 'http://127.0.0.1:18082',
      mispKey: 'k',
      marks: ['127.0.0.1:18082', '/tmp/realmisp-bench/', 'x'],
      pageSize: 5000,
    });
  });

  it('refuses a missing MISP_URL or MISP_KEY and a page size that is not a whole number', () => {
    expect(() => parseRealMispArgs([], { MISP_URL: 'http://m' })).toThrow('MISP_URL and MISP_KEY');
    expect(() => parseRealMispArgs(['--page-size', '0'], env)).toThrow('--page-size must be a whole number');
    expect(() => parseRealMispArgs(['--pages', '1'], env)).toThrow(/pages/);
  });
});

describe('the bench takes no --import any more', () => {
  it('refuses it as an unknown option', () => {
    expect(() => parseBenchArgs(['--import', 'json'])).toThrow(/import/);
  });
});

describe('counting proxy', () => {
  it('keeps the target path prefix', () => {
    expect(forwardedPath(new URL('http://m/misp/'), '/attributes/restSearch')).toBe(
      '/misp/attributes/restSearch',
    );
    expect(forwardedPath(new URL('http://m'), '/events/restSearch?x=1')).toBe('/events/restSearch?x=1');
  });

  it('forwards requests and answers as they are, counting them by path', async () => {
    const seen: Array<{ url?: string; body: string; auth?: string }> = [];
    const target = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, body, auth: req.headers.authorization });
        res.writeHead(200, { 'content-type': 'application/json', 'x-result-count': '1' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    const proxy = await startCountingProxy(`http://127.0.0.1:${port}/base`);
    try {
      const answers = [];
      for (const where of ['/attributes/restSearch', '/attributes/restSearch', '/servers/getVersion']) {
        const response = await fetch(`${proxy.url}${where}`, {
          method: 'POST',
          headers: { Authorization: 'key' },
          body: '{"page":1}',
        });
        answers.push({
          status: response.status,
          count: response.headers.get('x-result-count'),
          body: await response.text(),
        });
      }
      expect(answers[0]).toEqual({ status: 200, count: '1', body: '{"ok":true}' });
      expect(seen[0]).toEqual({ url: '/base/attributes/restSearch', body: '{"page":1}', auth: 'key' });
      expect(proxy.counts()).toEqual({ '/base/attributes/restSearch': 2, '/base/servers/getVersion': 1 });
      expect(totalRequests(proxy.counts())).toBe(3);
    } finally {
      await proxy.close();
      target.closeAllConnections();
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });
});
