import { categoryOf } from './value-makers';
import type { MispAttributeJson, MispEventJson } from './wire-types';

/**
 * The team's own sample: five invented events in MISP's export shape, for the demo and the tests.
 * Addresses are RFC 5737 / RFC 3849 documentation ranges, domains are under example.* or reserved
 * TLDs, hashes are made up (of the right length). It holds every supported type, non-IDS attributes,
 * an unpublished event, a deleted attribute, objects, warninglisted values and junk (a CIDR, a hash
 * of the wrong length, a `url` of `107.183.86`).
 */

type SampleAttribute = Pick<MispAttributeJson, 'type' | 'value' | 'category' | 'comment' | 'Tag'> & {
  to_ids?: boolean;
  deleted?: boolean;
  object_relation?: string;
};

function attribute(type: string, value: string, extra: Partial<SampleAttribute> = {}): SampleAttribute {
  return { type, value, to_ids: true, ...extra };
}

const ids = (type: string, value: string): SampleAttribute => attribute(type, value);
const notIds = (type: string, value: string, comment: string): SampleAttribute =>
  attribute(type, value, { to_ids: false, comment });

interface SampleEvent {
  uuid: string;
  info: string;
  /** Hours before now of the publication; undefined: never published. */
  publishedHoursAgo?: number;
  tags: string[];
  attributes: SampleAttribute[];
  objects?: Array<{ name: string; attributes: SampleAttribute[] }>;
}

const SAMPLE: SampleEvent[] = [
  {
    uuid: '0b7d4e2a-5c1f-4a8e-9d3b-6f2e1a7c9b01',
    info: 'Operation Paper Lantern: invoice-themed spear-phishing against logistics firms',
    publishedHoursAgo: 6,
    tags: ['tlp:green', 'misp-galaxy:threat-actor="Paper Lantern"'],
    attributes: [
      ids('email-src', 'billing@invoices-paperlantern.example'),
      ids('email-dst', 'accounts.payable@victim-logistics.example'),
      ids('url', 'https://invoices-paperlantern.example/view/INV-20931.html'),
      ids('domain', 'invoices-paperlantern.example'),
      ids('hostname', 'cdn.invoices-paperlantern.example'),
      ids('md5', 'd1c330126f287ad465bca77443ea8d56'),
      ids('sha256', 'c99a4f12c5b0f6537e43102c367a831fe80b526a48ca7ef8fadd50632d7c58f8'),
      ids(
        'filename|sha256',
        'INV-20931.pdf.js|ad85e03f7a2485cf994dda8311dac4504161fae10b80973dfb64dc09a3a8a581',
      ),
      notIds('link', 'https://blog.example.org/2025/paper-lantern-analysis', 'Public write-up'),
      notIds('domain', 'example.com', 'Legitimate domain spoofed in the lure: not an indicator'),
    ],
    objects: [
      {
        name: 'email',
        attributes: [
          { ...ids('email-src', 'noreply@paperlantern-mailer.example'), object_relation: 'from' },
          {
            ...attribute('text', 'Overdue invoice INV-20931', { to_ids: false }),
            object_relation: 'subject',
          },
        ],
      },
    ],
  },
  {
    uuid: '2c9a6f13-8e4b-4d27-b5a0-1e3f7d6c8a02',
    info: 'Glasswing loader: command-and-control infrastructure',
    publishedHoursAgo: 4,
    tags: ['tlp:amber'],
    attributes: [
      ids('ip-dst', '198.51.100.23'),
      ids('ip-dst', '2001:db8:7a1::23'),
      ids('ip-src', '203.0.113.77'),
      ids('ip-dst|port', '198.51.100.24 | 8443'),
      ids('ip-src|port', '203.0.113.78|4444'),
      ids('domain|ip', 'update.glasswing.test|192.0.2.45'),
      ids('hostname', 'beacon.glasswing.test'),
      ids('md5', '880c9861dde5dcd35230941eb0f0f189'),
      attribute('ip-dst', '203.0.113.0/24', { comment: 'Whole hosting range (junk for an IOC collection)' }),
      attribute('ip-dst', '8.8.8.8', { comment: 'Resolver contacted by the loader (warninglisted)' }),
      notIds('ip-dst', '192.0.2.200', 'Sinkhole, kept for context'),
    ],
    objects: [
      {
        name: 'ip-port',
        attributes: [
          { ...ids('ip-dst', '198.51.100.25'), object_relation: 'ip' },
          { ...attribute('port', '443', { to_ids: false }), object_relation: 'dst-port' },
        ],
      },
    ],
  },
  {
    uuid: '4e1b8d27-3a6c-4f95-8c12-9b7a5e3d1f03',
    info: 'Cobalt Harbor: ransomware precursor toolkit',
    publishedHoursAgo: 10,
    tags: ['tlp:white'],
    attributes: [
      ids('md5', '7e38a74e1ee0f5b39df4e689a25b9a10'),
      ids('sha1', '6acae15dcb2aac49bea64f4cb52c313b9040d1b2'),
      ids('sha256', 'DC6E14131C4C113B8DFF375DA0CE43C4BE7B7D98417303E450A866373BA296BE'),
      ids(
        'sha512',
        'cc9b9a4e8a2d392d44d46abcf028e9d1f867f4cb884f75c2153df1849fbf429afe74b4db0d9264df3246d1068eb17d0aa81b814a9103718be30e862cb91b3721',
      ),
      ids('filename|md5', 'harbor_svc.exe | 8a249953b938b92e99ac13e5f2f2e9a1'),
      ids('filename|sha1', 'harbor_cfg.dll|2870e06eb4367c22f61d0d115f4d04b6c8e04e18'),
      ids('filename|sha256', 'stage2.bin|9a02f67af46220338c183a8e774352c09f96e1fd78e310742b3c60ff7a3a301f'),
      attribute('md5', '7e38a74e1ee0f5b39df4e689a25b9a1', {
        comment: 'Truncated in the source report (junk)',
      }),
      attribute('yara', 'rule CobaltHarbor { strings: $a = "harbor_svc" condition: $a }'),
    ],
    objects: [
      {
        name: 'file',
        attributes: [
          { ...attribute('filename', 'harbor_loader.exe'), object_relation: 'filename' },
          { ...ids('md5', 'b8a34031ba20ddbf0fa9196af7a8ef13'), object_relation: 'md5' },
          { ...ids('sha1', 'abb45a23e12ca0907e23a6c7146df99fadf4039f'), object_relation: 'sha1' },
          {
            ...ids('sha256', '03359ed2a8b70985ade0d6dcf15c2520602176bfa94be2a8bb1d3be47cab4dc3'),
            object_relation: 'sha256',
          },
        ],
      },
    ],
  },
  {
    uuid: '6a3f0c51-7d2e-4b86-a4f9-3c8e2b1d5e04',
    info: 'Draft: suspected watering hole on a regional news site (not published)',
    tags: ['tlp:amber'],
    attributes: [
      ids('domain', 'news-watering.example.net'),
      ids('ip-dst', '198.51.100.99'),
      ids('sha256', '844fbe4aa6f3c67d3af32298697a97e925036aff1d11bfcf23ef879545a01091'),
    ],
  },
  {
    uuid: '8d5e2f79-1b4a-4c38-9e67-5a0d4c2b7f05',
    info: 'Brittle Finch: credential-harvesting kit',
    publishedHoursAgo: 2,
    tags: ['tlp:green'],
    attributes: [
      ids('url', 'http://login-finch.example.com/owa/auth.php'),
      ids('url', 'https://198.51.100.61/kit/index.html'),
      attribute('url', '107.183.86', { comment: 'As copied from a feed (junk)' }),
      ids('domain', 'login-finch.example.com'),
      attribute('hostname', 'secure.login-finch.example.com', { Tag: [{ name: 'tlp:red' }] }),
      ids('email-src', 'it-support@login-finch.example.com'),
      ids('sha256', '0ab8f85c1c2a0753ffc4f295482a07f9b6f9cae92eb2bdcb98d4e16e45f97c91'),
      attribute('sha256', '98d14b33d8b9cff1f1952621cf7569c1a9e479e045099c8a6c5a1d9fd9af80b6', {
        deleted: true,
        comment: 'Withdrawn: false positive',
      }),
      ids('domain', 'google.com'),
      notIds('AS', 'AS64500', 'Hosting AS (documentation ASN)'),
      notIds('text', 'Kit reuses the Finch panel seen in 2024', 'Analyst note'),
    ],
  },
];

/**
 * The sample events, their publication set relative to `nowSeconds` (all within the last 12 hours,
 * so the default one-day window sees them). Event ids 1 to 5; attribute ids are given on load.
 */
export function sampleEvents(
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Array<{ Event: MispEventJson }> {
  return SAMPLE.map((event, index) => {
    const publishTimestamp =
      event.publishedHoursAgo === undefined ? 0 : nowSeconds - event.publishedHoursAgo * 3600;
    const changed = String((publishTimestamp || nowSeconds) - 600);
    const withTimestamp = (item: SampleAttribute): MispAttributeJson => ({
      category: item.category ?? categoryOf(item.type),
      comment: '',
      ...item,
      timestamp: changed,
    });
    return {
      Event: {
        id: String(index + 1),
        uuid: event.uuid,
        info: event.info,
        org_id: '1',
        orgc_id: '1',
        distribution: '1',
        published: event.publishedHoursAgo !== undefined,
        publish_timestamp: String(publishTimestamp),
        timestamp: changed,
        date: new Date(Number(changed) * 1000).toISOString().slice(0, 10),
        Tag: event.tags.map((name) => ({ name })),
        Attribute: event.attributes.map(withTimestamp),
        Object: (event.objects ?? []).map((object) => ({
          name: object.name,
          'meta-category': object.name === 'email' ? 'network' : 'file',
          Attribute: object.attributes.map(withTimestamp),
        })),
      },
    };
  });
}
