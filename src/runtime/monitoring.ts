import type { Liveness } from './liveness';
import type { RuntimeMetrics } from './metrics';
import { healthRoute, metricsRoute, RunningServer, startServer } from './servers';
import type { Logger } from './types';

export interface MonitoringPorts {
  /** The port /health listens on, when it could start. */
  liveness?: number;
  /** The port /metrics listens on, when it could start. */
  metrics?: number;
}

export interface Monitoring {
  ports: MonitoringPorts;
  close(): Promise<void>;
}

/**
 * Starts /health and /metrics. When the runtime gives both the same port (other than 0), one
 * server answers both paths instead of the second failing on a taken port.
 */
export async function startMonitoring(options: {
  host: string;
  livenessPort: number;
  metricsPort: number;
  liveness: Liveness;
  metrics: RuntimeMetrics;
  logger: Logger;
}): Promise<Monitoring> {
  const health = healthRoute(options.liveness);
  const scrape = metricsRoute(options.metrics.registry);
  const servers: RunningServer[] = [];
  const ports: MonitoringPorts = {};
  if (options.livenessPort !== 0 && options.livenessPort === options.metricsPort) {
    const both = await startServer(
      options.livenessPort,
      options.host,
      { '/health': health, '/metrics': scrape },
      '/health and /metrics',
      options.logger,
    );
    if (both) servers.push(both);
    ports.liveness = both?.port;
    ports.metrics = both?.port;
  } else {
    const live = await startServer(
      options.livenessPort,
      options.host,
      { '/health': health },
      '/health',
      options.logger,
    );
    const prom = await startServer(
      options.metricsPort,
      options.host,
      { '/metrics': scrape },
      '/metrics',
      options.logger,
    );
    for (const server of [live, prom]) if (server) servers.push(server);
    ports.liveness = live?.port;
    ports.metrics = prom?.port;
  }
  return {
    ports,
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}
