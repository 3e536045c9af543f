import nock from 'nock';

/**
 * Registers, in the calling test file, what every nock test needs: no real network but loopback,
 * pending requests aborted and interceptors cleared after each test, and nock's patch of node:http
 * removed after the file. Without that last step the patch stays for the next test files of the
 * same jest worker, and proxy agents then fail through it.
 */
export function useNockGuards(): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterEach(() => {
    nock.abortPendingRequests();
    nock.cleanAll();
  });
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });
}
