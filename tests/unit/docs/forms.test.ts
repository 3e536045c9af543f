import manifest from '../../../manifest.json';
import trigger from '../../../trigger_misp_ids_to_ioc.json';

/**
 * The two forms are all a user sees in the Playbooks: what they ask first,
 * what they keep secret, and that every field says what happens.
 */

interface Property {
  title?: string;
  description?: string;
}

const account = manifest.configuration;
const triggerForm = trigger.arguments;

describe('the account form (manifest.json)', () => {
  it('requires the MISP address, the MISP key and the Sekoia.io key', () => {
    expect(account.required).toEqual(['misp_url', 'misp_api_key', 'sekoia_api_key']);
  });

  it('stores the keys and the proxies (which may hold user:password@) as secrets', () => {
    expect([...account.secrets].sort()).toEqual([
      'http_proxy',
      'https_proxy',
      'misp_api_key',
      'sekoia_api_key',
    ]);
  });

  it.each(['http_proxy', 'https_proxy'] as const)('%s says it applies to MISP only', (field) => {
    const description = account.properties[field].description;
    expect(description).toMatch(/MISP only: Sekoia\.io API calls go direct/);
    expect(description).toMatch(/http:\/\/ is then assumed/);
  });
});

describe('the trigger form (trigger_misp_ids_to_ioc.json)', () => {
  it('asks for the collection first, then the region, then a custom server', () => {
    expect(Object.keys(triggerForm.properties).slice(0, 3)).toEqual([
      'ioc_collection_uuid',
      'sekoia_region',
      'ioc_collection_server',
    ]);
  });

  it('offers the regions as a list, each with its login address, and keeps a custom URL possible', () => {
    const region = triggerForm.properties.sekoia_region;
    for (const choice of region.enum)
      expect(choice).toMatch(/^[A-Z]{3}\d \(app\.([a-z0-9]+\.)?sekoia\.io\)$/);
    const server: Record<string, unknown> = triggerForm.properties.ioc_collection_server;
    expect(server.default).toBeUndefined();
    expect(server.pattern).toBe('^https?://[^\\s/$.?#][^\\s]*$');
  });

  it('says publish_timestamp is days, read on the first run, and what raising it does', () => {
    const description = triggerForm.properties.publish_timestamp.description;
    expect(description).toMatch(/number of days/);
    expect(description).toMatch(/first run/);
    expect(description).toMatch(/Raise it later and the next run reads the longer history once/);
  });
});

describe.each([
  ['account', account.properties as Record<string, Property>],
  ['trigger', triggerForm.properties as Record<string, Property>],
])('every field of the %s form', (_name, properties) => {
  it.each(Object.keys(properties))('%s has a title and a description ending a sentence', (field) => {
    expect(properties[field].title).toEqual(expect.any(String));
    expect(properties[field].description).toMatch(/\.$/);
  });
});
