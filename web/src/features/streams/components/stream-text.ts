import type { StreamDestination, StreamKind, StreamState } from '../api/streams-api.js';

/** Names people read for each kind of destination. */
export const KIND_LABELS: Record<StreamKind, string> = {
  webhook: 'Webhook',
  'splunk-hec': 'Splunk HEC',
  syslog: 'Syslog',
};

/** What each kind's URL looks like. */
export const URL_PLACEHOLDERS: Record<StreamKind, string> = {
  webhook: 'https://siem.example.com/attest',
  'splunk-hec': 'https://splunk.example.com:8088',
  syslog: 'tls://syslog.example.com:6514',
};

/** Each state in words (the colour only repeats them). */
export const STATE_LABELS: Record<StreamState, string> = {
  ok: 'OK',
  retrying: 'Retrying',
  failing: 'Failing',
  paused: 'Paused',
};

/** "12 s", "4 min", "2 h 5 min", "3 days": how far behind, in words a person reads at a glance. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

/** The lag in events and in time, or that the destination has caught up. */
export function lagText(stream: Pick<StreamDestination, 'lagEvents' | 'lagSeconds'>): string {
  if (stream.lagEvents === 0) return 'Caught up';
  const events = `${stream.lagEvents.toLocaleString('en-US')} ${stream.lagEvents === 1 ? 'event' : 'events'}`;
  return stream.lagSeconds === null ? `${events} behind` : `${events} behind, oldest ${formatDuration(stream.lagSeconds)} ago`;
}
