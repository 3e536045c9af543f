import { ConfigurationError } from '../../../src/errors';
import { normaliseServerUrl, regionOf } from '../../../src/sekoia/server-url';

describe('normaliseServerUrl', () => {
  it.each([
    ['https://api.sekoia.io', 'https://api.sekoia.io/'],
    ['https://api.sekoia.io/', 'https://api.sekoia.io/'],
    ['https://api.usa1.sekoia.io', 'https://api.usa1.sekoia.io/'],
    ['https://api.sgp1.sekoia.io//', 'https://api.sgp1.sekoia.io/'],
    ['https://app.fra2.sekoia.io', 'https://app.fra2.sekoia.io/api/'],
    ['https://app.fra2.sekoia.io/', 'https://app.fra2.sekoia.io/api/'],
    ['https://app.fra2.sekoia.io/api', 'https://app.fra2.sekoia.io/api/'],
    ['https://app.mco1.sekoia.io/api/', 'https://app.mco1.sekoia.io/api/'],
    ['  https://APP.uae1.sekoia.io  ', 'https://app.uae1.sekoia.io/api/'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    ['http://localhost:9000/sekoia/', 'http://localhost:9000/sekoia/'],
    ['https://app.example.com', 'https://app.example.com/'],
  ])('%s -> %s', (input, expected) => {
    expect(normaliseServerUrl(input)).toBe(expected);
  });

  it.each(['api.sekoia.io', '', 'ftp://api.sekoia.io'])(
    'refuses %j, naming ioc_collection_server',
    (input) => {
      let error: unknown;
      try {
        normaliseServerUrl(input);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).fields).toEqual(['ioc_collection_server']);
    },
  );
});

describe('regionOf', () => {
  it.each([
    ['https://api.sekoia.io/', 'FRA1'],
    ['https://api.usa1.sekoia.io/', 'USA1'],
    ['https://app.fra2.sekoia.io/api/', 'FRA2'],
    ['https://app.mco1.sekoia.io/api/', 'MCO1'],
    ['http://127.0.0.1:4000/', '127.0.0.1'],
  ])('%s is %s', (url, region) => {
    expect(regionOf(url)).toBe(region);
  });
});
