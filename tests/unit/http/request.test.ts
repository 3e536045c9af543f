import axios, { AxiosAdapter, AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { MalformedAnswerError, NetworkError } from '../../../src/errors';
import { AnswerProblem, requestWithRetry, sendWithRetry, SendOptions } from '../../../src/http/request';
import { FakeClock } from '../../helpers/fakes';

const POLICY = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000, retryAfterCapMs: 1000, statusCodes: [503] };

/** An axios instance whose adapter answers with `answer(n)`, n counting the calls from 1. */
function instance(answer: (n: number, config: InternalAxiosRequestConfig) => AxiosResponse | Error) {
  let calls = 0;
  const adapter: AxiosAdapter = async (config) => {
    const result = answer(++calls, config);
    if (result instanceof Error) throw result;
    return result;
  };
  return { http: axios.create({ baseURL: 'https://api.test/', adapter }), calls: () => calls };
}

function response(status: number, data: unknown, config: InternalAxiosRequestConfig): AxiosResponse {
  return { status, statusText: '', data, headers: {}, config };
}

function options(http: SendOptions['http'], clock: FakeClock): SendOptions {
  return { http, request: { method: 'GET', url: 'x' }, policy: POLICY, clock, random: () => 0 };
}

describe('sendWithRetry', () => {
  it('throws a bug (not an HTTP failure) as it is, at once: no retry, no network error', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'length')");
    const { http, calls } = instance(() => bug);
    const clock = new FakeClock();
    await expect(sendWithRetry(options(http, clock))).rejects.toBe(bug);
    expect(calls()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries a network failure, and counts it as one', async () => {
    const { http, calls } = instance(() => new AxiosError('socket hang up', 'ECONNRESET'));
    const clock = new FakeClock();
    const thrown = await sendWithRetry(options(http, clock)).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(NetworkError);
    expect(calls()).toBe(3);
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it('does not retry a TLS failure', async () => {
    const { http, calls } = instance(() => new AxiosError('self-signed', 'DEPTH_ZERO_SELF_SIGNED_CERT'));
    await expect(sendWithRetry(options(http, new FakeClock()))).rejects.toBeInstanceOf(NetworkError);
    expect(calls()).toBe(1);
  });
});

describe('requestWithRetry', () => {
  it('reads the answer within the attempt: a problem worth retrying is one more attempt of the same loop', async () => {
    const { http, calls } = instance((n, config) =>
      response(n < 3 ? 503 : 200, n === 3 ? '{"cut' : '', config),
    );
    const attempts: number[] = [];
    const thrown = await requestWithRetry(
      { ...options(http, new FakeClock()), toError: (error, made) => (attempts.push(made), error) },
      (answer) => (answer.data === '{"cut' ? new AnswerProblem('JSON cut short', true) : answer.data),
    ).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(MalformedAnswerError);
    expect(calls()).toBe(3);
    expect(attempts).toEqual([3]);
  });

  it('does not retry a problem the server would answer again', async () => {
    const { http, calls } = instance((_, config) => response(200, '<html>', config));
    const read = (): AnswerProblem => new AnswerProblem('an HTML page', false);
    await expect(requestWithRetry(options(http, new FakeClock()), read)).rejects.toMatchObject({
      code: 'MALFORMED_ANSWER',
      problem: 'an HTML page',
    });
    expect(calls()).toBe(1);
  });

  it('throws a bug of the reader as it is, without another attempt', async () => {
    const bug = new RangeError('reader bug');
    const { http, calls } = instance((_, config) => response(200, {}, config));
    await expect(
      requestWithRetry(options(http, new FakeClock()), () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
    expect(calls()).toBe(1);
  });
});
