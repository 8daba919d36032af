/**
 * The service's log: one JSON object a line (pino), or a readable form for a terminal
 * (`SLIPWAY_LOG_FORMAT=pretty`, pino-pretty). Callers keep the project's `Log` signature — a
 * message, and optionally the ids it is about (`{ delivery, job, deployment }`) as fields; payloads
 * are never passed. Two layers keep secrets out: field names that hold credentials are censored
 * (pino's `redact`), and every finished line has each known secret value (the webhook secrets,
 * API token, private key and its lines, the database password) replaced, whatever field or message
 * it slipped into.
 */
import { pino, type DestinationStream, type Level } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LogFields } from './log-fields.ts';

export type LogFormat = 'json' | 'pretty';

export type LoggerOptions = {
  format: LogFormat;
  /** Where lines go (default: stderr). */
  write?: (line: string) => void;
  /** Values never to print. Short values (under 8 characters) are ignored: they would mask ordinary words. */
  secrets?: ReadonlyArray<string | undefined>;
  level?: Level;
};

export type ServiceLog = (message: string, fields?: LogFields) => void;

/** Field names censored wherever they appear (one level deep, and at the top). */
const censoredKeys = ['token', 'secret', 'password', 'authorization', 'privateKey', 'payload', 'cookie'];

export function createLogger(options: LoggerOptions): ServiceLog {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const scrub = secretScrubber(options.secrets ?? []);
  const pretty = options.format === 'pretty' ? prettyFactory({ colorize: false, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : undefined;
  // Scrubbed before the pretty form is made: the JSON-escaped forms of the secrets are what is matched.
  const destination: DestinationStream = { write: (line: string) => write(pretty ? pretty(scrub(line)) : scrub(line)) };
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: [...censoredKeys, ...censoredKeys.map((k) => `*.${k}`)], censor: '[redacted]' },
    },
    destination,
  );
  return (message, fields) => {
    const { level = 'info', ...rest } = fields ?? {};
    logger[level](rest, message);
  };
}

/** Replaces every known secret value in a finished line, in its raw and JSON-escaped forms. */
export function secretScrubber(secrets: ReadonlyArray<string | undefined>): (line: string) => string {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < 8) continue;
    values.add(secret);
    values.add(JSON.stringify(secret).slice(1, -1));
    // A PEM key's lines one by one: a message may carry a fragment of it.
    for (const line of secret.split(/\r?\n/)) if (line.length >= 16 && !line.startsWith('-----')) values.add(line);
  }
  const ordered = [...values].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const value of ordered) if (out.includes(value)) out = out.split(value).join('[redacted]');
    return out;
  };
}
