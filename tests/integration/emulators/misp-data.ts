import type { MispEventDocument } from '../../../tools/emulators/misp';

/** Fixed "now" of the MISP tests, epoch seconds. */
export const NOW = 1_750_000_000;
export const HOUR = 3600;
export const DAY = 86400;

/**
 * A small data set with explicit ids, so each filter's expected answer can be read off it:
 * event 1 (published an hour ago, tlp:green), event 2 (published three days ago, tlp:amber and a
 * galaxy tag), event 3 (never published).
 */
export function testEvents(): MispEventDocument[] {
  return [
    {
      Event: {
        id: '1',
        uuid: '11111111-1111-4111-8111-111111111111',
        info: 'Event one',
        published: true,
        publish_timestamp: String(NOW - HOUR),
        timestamp: String(NOW - HOUR),
        Tag: [{ name: 'tlp:green' }],
        Attribute: [
          { id: '1', type: 'ip-dst', value: '198.51.100.1', to_ids: true, timestamp: String(NOW - 2 * HOUR) },
          { id: '2', type: 'domain', value: 'one.example', to_ids: false, timestamp: String(NOW - 2 * HOUR) },
          {
            id: '3',
            type: 'md5',
            value: 'd1c330126f287ad465bca77443ea8d56',
            to_ids: true,
            timestamp: String(NOW - 100),
            Tag: [{ name: 'tlp:red' }],
          },
          { id: '4', type: 'ip-dst', value: '8.8.8.8', to_ids: true, timestamp: String(NOW - 2 * HOUR) },
          {
            id: '5',
            type: 'url',
            value: 'http://one.example/x',
            to_ids: true,
            deleted: true,
            timestamp: String(NOW - 2 * HOUR),
          },
        ],
      },
    },
    {
      id: '2',
      uuid: '22222222-2222-4222-8222-222222222222',
      info: 'Event two (bare, no "Event" wrapper)',
      published: true,
      publish_timestamp: String(NOW - 3 * DAY),
      timestamp: String(NOW - 3 * DAY),
      Tag: [{ name: 'tlp:amber' }, { name: 'misp-galaxy:threat-actor="Glasswing"' }],
      Attribute: [
        {
          id: '6',
          type: 'sha256',
          value: 'c99a4f12c5b0f6537e43102c367a831fe80b526a48ca7ef8fadd50632d7c58f8',
          to_ids: true,
          timestamp: String(NOW - 4 * DAY),
        },
        { id: '7', type: 'ip-src', value: '203.0.113.7', to_ids: true, timestamp: String(NOW - 4 * DAY) },
      ],
      Object: [
        {
          id: '50',
          name: 'domain-ip',
          Attribute: [
            {
              id: '8',
              type: 'domain',
              value: 'two.example',
              to_ids: true,
              object_relation: 'domain',
              timestamp: String(NOW - 4 * DAY),
            },
          ],
        },
      ],
    },
    {
      Event: {
        id: '3',
        info: 'Event three, never published',
        published: false,
        publish_timestamp: '0',
        timestamp: String(NOW - DAY),
        Attribute: [
          { id: '9', type: 'domain', value: 'three.example', to_ids: true, timestamp: String(NOW - DAY) },
        ],
      },
    },
  ];
}
