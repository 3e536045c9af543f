import { parseCliArgs, startFromCli } from '../../../tools/emulators/cli';
import { postJson, send } from './http-client';

describe('emulators CLI', () => {
  it('starts both emulators with the sample events and describes them as JSON', async () => {
    const started = await startFromCli(parseCliArgs([]));
    try {
      const description = started.description as {
        misp: { url: string; apiKey: string; attributes: number };
        sekoia: { url: string; apiKey: string; collectionId: string };
      };
      expect(description.misp.attributes).toBeGreaterThan(40);
      const version = await send(`${description.misp.url}/servers/getVersion`, {
        headers: { Authorization: description.misp.apiKey },
      });
      expect(version.status).toBe(200);
      const collection = await send(
        `${description.sekoia.url}/v2/inthreat/ioc-collections/${description.sekoia.collectionId}`,
        { headers: { Authorization: `Bearer ${description.sekoia.apiKey}` } },
      );
      expect(collection.status).toBe(200);
      const window = await postJson(
        `${description.misp.url}/attributes/restSearch`,
        { returnFormat: 'json', to_ids: 1, published: 1, publish_timestamp: '1d' },
        { Authorization: description.misp.apiKey },
      );
      expect(window.json<{ response: { Attribute: unknown[] } }>().response.Attribute.length).toBeGreaterThan(
        30,
      );
    } finally {
      await started.close();
    }
  });

  it('starts only MISP with a generated data set of the size asked for', async () => {
    const started = await startFromCli(
      parseCliArgs(['--only', 'misp', '--attributes', '3000', '--seed', '4']),
    );
    try {
      expect(started.sekoia).toBeUndefined();
      expect(started.description).toEqual({ misp: expect.objectContaining({ attributes: 3000 }) });
    } finally {
      await started.close();
    }
  });
});
