import { useRef, useState, type PointerEvent } from 'react';
import { errorMessage } from '../../../lib/api-client.js';
import { formatDay } from '../../../lib/time-zone.js';
import type { AuditLogParams } from '../api/audit-log-api-types.js';
import { useAuditLogHistogram } from '../api/get-audit-log-histogram.js';
import { chartBuckets } from '../utils/chart-buckets.js';

/** The drawing's own units; the SVG stretches them to the width it is given. */
const WIDTH = 1000;
const HEIGHT = 100;

/**
 * Above the table: the view's events per day (per hour for a range of one or two days), the security actions
 * at the foot of each bar in their tag's colour, drawn as plain SVG from the hourly counts the store keeps
 * (`GET …/audit-logs/histogram`), with the same range and filters as the table. Dragging across bars selects
 * their days as the new range; a click on one day's bar selects that day.
 */
export function ActivityChart({
  orgId,
  params,
  from,
  to,
  zone,
  onSelectRange,
}: {
  orgId: string;
  params: AuditLogParams;
  from: string;
  to: string;
  zone: string;
  onSelectRange: (range: { from: string; to: string }) => void;
}) {
  const histogram = useAuditLogHistogram(orgId, params);
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);
  const { unit, buckets } = chartBuckets(histogram.data?.hours ?? [], from, to, zone);
  const count = buckets.length;
  const max = Math.max(1, ...buckets.map((b) => b.events));
  const total = buckets.reduce((sum, b) => sum + b.events, 0);
  const security = buckets.reduce((sum, b) => sum + b.securityEvents, 0);
  const slot = WIDTH / count;

  const indexAt = (clientX: number): number => {
    const box = svg.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return Math.min(count - 1, Math.max(0, Math.floor(((clientX - box.left) / box.width) * count)));
  };
  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const index = indexAt(event.clientX);
    setDrag({ start: index, end: index });
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    if (drag) setDrag({ ...drag, end: indexAt(event.clientX) });
  };
  const onPointerUp = () => {
    if (!drag) return;
    setDrag(null);
    const first = buckets[Math.min(drag.start, drag.end)];
    const last = buckets[Math.max(drag.start, drag.end)];
    if (first && last && (first.day !== from || last.day !== to)) onSelectRange({ from: first.day, to: last.day });
  };
  const selection = drag ? { x: Math.min(drag.start, drag.end) * slot, width: (Math.abs(drag.end - drag.start) + 1) * slot } : null;
  const summary = `${total} ${total === 1 ? 'event' : 'events'} per ${unit} from ${formatDay(from)} to ${formatDay(to)}, ${security} of them security actions. Drag across the bars to choose a range.`;

  return (
    <figure className="activity-chart" aria-busy={histogram.isFetching}>
      <figcaption className="chart-header">
        <span className="chart-title">Events per {unit}</span>
        <span className="chart-legend">
          <span className="legend-swatch legend-security" aria-hidden="true" /> Security actions
          <span className="legend-swatch legend-other" aria-hidden="true" /> Other events
        </span>
        <span className="muted small">Peak {histogram.data ? max : '…'} · drag to choose days</span>
      </figcaption>
      {histogram.isError ? (
        <p className="form-error small" role="alert">
          The chart could not be loaded. {errorMessage(histogram.error)}
        </p>
      ) : (
        <svg
          ref={svg}
          className="chart-svg"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={summary}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => setDrag(null)}
        >
          {buckets.map((bucket, index) => {
            const x = index * slot + slot * 0.1;
            const width = slot * 0.8;
            const securityHeight = (bucket.securityEvents / max) * HEIGHT;
            const otherHeight = ((bucket.events - bucket.securityEvents) / max) * HEIGHT;
            return (
              <g
                key={`${bucket.day}-${index}`}
                className="chart-bar"
                data-day={bucket.day}
                data-events={bucket.events}
                data-security-events={bucket.securityEvents}
              >
                <title>{`${bucket.label}: ${bucket.events} ${bucket.events === 1 ? 'event' : 'events'}, ${bucket.securityEvents} security`}</title>
                <rect className="chart-hit" x={index * slot} y={0} width={slot} height={HEIGHT} />
                <rect className="chart-bar-other" x={x} y={HEIGHT - securityHeight - otherHeight} width={width} height={otherHeight} />
                <rect className="chart-bar-security" x={x} y={HEIGHT - securityHeight} width={width} height={securityHeight} />
              </g>
            );
          })}
          {selection ? <rect className="chart-selection" x={selection.x} y={0} width={selection.width} height={HEIGHT} /> : null}
        </svg>
      )}
      <div className="chart-axis" aria-hidden="true">
        <span>{buckets[0]?.label}</span>
        <span>{buckets[Math.floor(count / 2)]?.label}</span>
        <span>{buckets[count - 1]?.label}</span>
      </div>
    </figure>
  );
}
