import winston from 'winston';
import TransportStream from 'winston-transport';
import type { Clock } from '../clock';
import { formatConsoleLine } from './log-format';
import type { LogShipper } from './log-shipper';
import type { Redactor } from '../redactor';
import type { LogLevel, Logger } from './types';

/** Sekoia's levels, most severe first, as winston wants them. */
export const LOG_LEVELS: Readonly<Record<LogLevel, number>> = Object.freeze({
  critical: 0,
  error: 1,
  warning: 2,
  info: 3,
  debug: 4,
});

export function isLogLevel(value: string): value is LogLevel {
  return Object.prototype.hasOwnProperty.call(LOG_LEVELS, value);
}

/** What winston hands the transports: our fields on top of winston's own. */
interface RuntimeLogInfo {
  level: string;
  message: unknown;
  date?: unknown;
}

/** The winston transport feeding the log shipper; the shipper never blocks. */
export class ShippingTransport extends TransportStream {
  constructor(private readonly shipper: LogShipper) {
    super({});
  }

  override log(info: RuntimeLogInfo, next: () => void): void {
    if (isLogLevel(info.level)) this.shipper.push(info.level, String(info.message), String(info.date));
    next();
  }
}

export interface RuntimeLoggerOptions {
  redactor: Redactor;
  clock: Clock;
  /** LOG_LEVEL: the least severe level written. @default 'info' */
  level?: string;
  /** Where the console lines go. @default process.stdout */
  consoleStream?: NodeJS.WritableStream;
  /** Colour the level names. @default true when consoleStream is a TTY */
  colour?: boolean;
  /** Ships to url_logs; none in local runs. */
  shipper?: LogShipper;
}

/** The trigger's Logger plus what the runtime needs around it. */
export interface RuntimeLogger extends Logger {
  /** True once a critical line was written; later criticals are written as errors (the platform stops the trigger on the first). */
  readonly criticalSent: boolean;
  /** Writes to the console only: for troubles of the log shipping itself. */
  consoleOnly(level: LogLevel, message: string): void;
  /** Ships what is buffered (bounded by `timeoutMs`) and stops the timers. */
  close(timeoutMs?: number): Promise<void>;
}

function resolveLevel(requested: string | undefined): { level: LogLevel; warning?: string } {
  const value = (requested ?? '').trim().toLowerCase();
  if (value === '') return { level: 'info' };
  const level = value === 'warn' ? 'warning' : value;
  if (isLogLevel(level)) return { level };
  return {
    level: 'info',
    warning: `LOG_LEVEL "${requested}" is not one of debug, info, warning, error, critical: using info.`,
  };
}

/** Writes one redacted line to the console only (the shipper's own troubles go there). */
export type ConsoleWriter = (level: LogLevel, message: string) => void;

export function createConsoleWriter(
  options: Pick<RuntimeLoggerOptions, 'redactor' | 'clock' | 'consoleStream' | 'colour'>,
): ConsoleWriter {
  const stream = options.consoleStream ?? process.stdout;
  const colour = options.colour ?? (stream as NodeJS.WriteStream).isTTY === true;
  return (level, message) => {
    const date = new Date(options.clock.now()).toISOString();
    stream.write(`${formatConsoleLine(date, level, options.redactor.redact(message), colour)}\n`);
  };
}

/**
 * A winston logger with Sekoia's levels, a console transport and, when given, the shipping
 * transport. Every message is redacted before it reaches either.
 */
export function createRuntimeLogger(options: RuntimeLoggerOptions): RuntimeLogger {
  const stream = options.consoleStream ?? process.stdout;
  const colour = options.colour ?? (stream as NodeJS.WriteStream).isTTY === true;
  const consoleOnly = createConsoleWriter(options);
  const { level, warning } = resolveLevel(options.level);
  const consoleFormat = winston.format.printf((info) =>
    formatConsoleLine(String(info.date), info.level as LogLevel, String(info.message), colour),
  );
  const transports: TransportStream[] = [new winston.transports.Stream({ stream, format: consoleFormat })];
  if (options.shipper) transports.push(new ShippingTransport(options.shipper));
  const winstonLogger = winston.createLogger({ levels: LOG_LEVELS, level, transports, exitOnError: false });
  let criticalSent = false;

  const write = (requested: LogLevel, message: string): void => {
    let lineLevel = requested;
    if (requested === 'critical') {
      if (criticalSent) lineLevel = 'error';
      criticalSent = true;
    }
    const date = new Date(options.clock.now()).toISOString();
    winstonLogger.log({ level: lineLevel, message: options.redactor.redact(message), date });
  };

  const logger: RuntimeLogger = {
    get criticalSent() {
      return criticalSent;
    },
    debug: (message) => write('debug', message),
    info: (message) => write('info', message),
    warning: (message) => write('warning', message),
    error: (message) => write('error', message),
    critical: (message) => write('critical', message),
    consoleOnly,
    close: async (timeoutMs) => {
      await options.shipper?.close(timeoutMs);
    },
  };
  if (warning) logger.warning(warning);
  return logger;
}
