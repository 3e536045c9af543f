import type { Clock } from '../clock';
import { ConfigurationError } from '../errors';
import type { RetryNotice } from '../http/request';
import { createMispClient } from '../misp/client';
import type { MispClient } from '../misp/types';
import { createSekoiaClient } from '../sekoia/client';
import type { QuotaReader, QuotaWatch } from '../sekoia/quota';
import type { CollectionAccess } from './reconcile/check-step';
import type { IocCollectionSink } from '../sekoia/types';
import type { DataStorage } from '../runtime/storage';
import { openTriggerState } from '../state';
import type { TriggerState } from '../state/types';
import type { TriggerSettings } from './config';
import { provenanceOf } from './provenance';
import { revokerOf, type IndicatorRevoker } from './reconcile/revoke';

/** What a run needs from the outside world; tests hand in fakes. */
export interface TriggerDependencies {
  misp: MispClient;
  sink: IocCollectionSink;
  /** Revokes in the IOC Collection (reconciliation sweep, revoke_withdrawn). */
  revoker?: IndicatorRevoker;
  /** The description naming this trigger on every import (see src/trigger/provenance.ts). */
  provenance?: string;
  state: TriggerState;
  /** Lists and edits the IOC Collection (the sweep's collection check); absent without a Sekoia.io key. */
  collection?: CollectionAccess;
  /** Reads the community's IOC count and quota (count-total-iocs); absent without a Sekoia.io key. */
  countTotalIocs?: QuotaReader;
  /** Set by the run from countTotalIocs: the quota watched by every push. */
  quota?: QuotaWatch;
  /** Closes the state and the kept-alive connections. */
  close(): Promise<void>;
}

export interface DependencyInput {
  settings: Readonly<TriggerSettings>;
  clock: Clock;
  dataPath: string;
  /** Where the state is kept: the local data folder, or an S3 bucket (file_backend S3). */
  storage: DataStorage;
  /** State namespace: trigger_configuration_uuid, else "default". */
  namespace: string;
  onMispRetry: (notice: RetryNotice) => void;
  onSekoiaRetry: (notice: RetryNotice) => void;
  /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export type DependencyFactory = (input: DependencyInput) => Promise<TriggerDependencies>;

/** Stands in for Sekoia.io in a dry run without sekoia_api_key: never called (the dry run pushes nothing). */
const noSink: IocCollectionSink = {
  async checkCollection() {},
  async push() {
    throw new ConfigurationError('sekoia_api_key is missing: add it in the account form.', [
      'sekoia_api_key',
    ]);
  },
};

/** Client timeouts; the clients' own defaults when absent. Tests shorten them to cut hangs fast. */
export interface ClientTimeouts {
  connectMs?: number;
  readMs?: number;
}

/**
 * The state: SQLite in the data folder, or kept in S3. The AWS SDK is loaded only for S3: it costs
 * about 15 MB of memory to a trigger that keeps its state locally.
 */
async function openState(input: DependencyInput, clock: Clock): Promise<TriggerState> {
  const { dataPath, namespace, storage } = input;
  if (storage.backend !== 's3') return openTriggerState({ dataPath, namespace, clock });
  const { openS3TriggerState } = await import('../state/s3');
  return openS3TriggerState({ storage, localPath: dataPath, namespace, clock });
}

/** A factory of the real clients and the state (SQLite, kept locally or in S3), with the given client timeouts. */
export function realDependencies(timeouts?: ClientTimeouts): DependencyFactory {
  return (input) => createRealDependencies(input, timeouts);
}

/** The real clients and the state, as the image runs them. */
export const createDependencies: DependencyFactory = realDependencies();

async function createRealDependencies(
  input: DependencyInput,
  timeouts: ClientTimeouts | undefined,
): Promise<TriggerDependencies> {
  const { settings, clock, env } = input;
  const misp = createMispClient({
    baseUrl: settings.mispUrl,
    apiKey: settings.mispApiKey,
    caPem: settings.mispCaPem,
    httpProxy: settings.httpProxy,
    httpsProxy: settings.httpsProxy,
    env,
    clock,
    timeouts,
    onRetry: input.onMispRetry,
  });
  const sekoia =
    settings.sekoiaApiKey === undefined
      ? undefined
      : createSekoiaClient({
          server: settings.sekoiaServer,
          collectionId: settings.collectionId,
          apiKey: settings.sekoiaApiKey,
          // The account's proxies are MISP's: Sekoia.io is reached direct, or per HTTPS_PROXY/NO_PROXY.
          env,
          clock,
          timeouts,
          onRetry: input.onSekoiaRetry,
        });
  const provenance = provenanceOf(settings.mispUrl, input.namespace);
  let state: TriggerState;
  try {
    state = await openState(input, clock);
  } catch (error) {
    misp.close();
    sekoia?.close();
    throw error;
  }
  return {
    misp,
    sink: sekoia ?? noSink,
    revoker: sekoia === undefined ? undefined : revokerOf(sekoia, provenance),
    provenance,
    countTotalIocs: sekoia?.countTotalIocs,
    collection: sekoia,
    state,
    async close() {
      misp.close();
      sekoia?.close();
      await state.close();
    },
  };
}
