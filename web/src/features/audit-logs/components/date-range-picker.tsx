import * as Popover from '@radix-ui/react-popover';
import { useState } from 'react';
import { DayPicker, type DateRange } from 'react-day-picker';
import {
  addDays,
  dayToPickerDate,
  daysInclusive,
  formatDay,
  isDay,
  pickerDateToDay,
  todayIn,
  zoneOffsetLabel,
} from '../../../lib/time-zone.js';
import {
  MAX_RANGE_DAYS,
  oldestRetainedDay,
  RETENTION_DAYS,
  rangeProblem,
  reachesPastRetention,
  whollyPastRetention,
} from '../utils/audit-log-view.js';

interface Props {
  from: string;
  to: string;
  zone: string;
  onApply: (range: { from: string; to: string }) => void;
}

/**
 * The date range picker: whole days in the organization's time zone, at most 30 of them. A calendar (react-day-picker,
 * range mode) and two date fields edit the same draft; Apply stays disabled while the draft is too long. The
 * calendar greys out the days after today, the days older than the 90-day retention, and, once a first day is
 * picked, the days that would make the range longer than 30. A range typed into the fields that reaches past
 * retention is allowed with a warning in words (or, wholly past it, told that it holds nothing any more).
 */
export function DateRangePicker({ from, to, zone, onApply }: Props) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<{ from: string; to: string | null }>({ from, to });
  const today = todayIn(zone);

  const openChange = (next: boolean) => {
    if (next) setDraft({ from, to });
    setOpen(next);
  };
  const selected: DateRange = { from: dayToPickerDate(draft.from), to: draft.to ? dayToPickerDate(draft.to) : undefined };
  const onSelect = (range: DateRange | undefined) => {
    if (!range?.from) return;
    setDraft({ from: pickerDateToDay(range.from), to: range.to ? pickerDateToDay(range.to) : null });
  };
  const preset = (days: number) => setDraft({ from: addDays(today, -(days - 1)), to: today });

  const problem = draft.to === null ? 'Choose the last day of the range.' : rangeProblem(draft.from, draft.to);
  const oldest = oldestRetainedDay(zone);
  const pastRetention = reachesPastRetention(draft.from, zone);
  const expired = draft.to !== null && whollyPastRetention(draft.to, zone);
  // While the end is being picked, only days within 30 of the start (either side: a day before the start
  // becomes the start) can complete the range.
  const outOfReach =
    draft.to === null
      ? [
          { before: dayToPickerDate(addDays(draft.from, -(MAX_RANGE_DAYS - 1))) },
          { after: dayToPickerDate(addDays(draft.from, MAX_RANGE_DAYS - 1)) },
        ]
      : [];
  const disabledDays = [{ after: dayToPickerDate(today) }, { before: dayToPickerDate(oldest) }, ...outOfReach];
  const apply = () => {
    if (problem || draft.to === null) return;
    onApply({ from: draft.from, to: draft.to });
    setOpen(false);
  };
  const label = from === to ? formatDay(from) : `${formatDay(from)} – ${formatDay(to)}`;

  return (
    <Popover.Root open={open} onOpenChange={openChange}>
      <Popover.Trigger className="button date-range-trigger" aria-label={`Date range: ${label}. Change date range`}>
        <svg aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
          <rect x="3" y="5" width="18" height="16" rx="2" />
          <path d="M3 10h18M8 3v4M16 3v4" />
        </svg>{' '}
        {label}
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="popover date-range-popover" align="start" sideOffset={6} aria-label="Choose a date range">
          <div className="date-range-presets" role="group" aria-label="Quick ranges">
            <button type="button" className="button button-small" onClick={() => preset(1)}>
              Today
            </button>
            <button type="button" className="button button-small" onClick={() => preset(7)}>
              Last 7 days
            </button>
            <button type="button" className="button button-small" onClick={() => preset(30)}>
              Last 30 days
            </button>
          </div>
          <DayPicker
            mode="range"
            selected={selected}
            onSelect={onSelect}
            resetOnSelect
            today={dayToPickerDate(today)}
            defaultMonth={dayToPickerDate(draft.to ?? draft.from)}
            disabled={disabledDays}
            startMonth={dayToPickerDate(oldest)}
            endMonth={dayToPickerDate(today)}
            weekStartsOn={1}
          />
          <div className="date-range-fields">
            <label className="field">
              <span className="field-label">From</span>
              <input
                className="input"
                type="date"
                name="from"
                value={draft.from}
                max={today}
                onChange={(e) => isDay(e.target.value) && setDraft((d) => ({ ...d, from: e.target.value }))}
              />
            </label>
            <label className="field">
              <span className="field-label">To</span>
              <input
                className="input"
                type="date"
                name="to"
                value={draft.to ?? ''}
                max={today}
                onChange={(e) => isDay(e.target.value) && setDraft((d) => ({ ...d, to: e.target.value }))}
              />
            </label>
          </div>
          <p className="muted small">
            Days are counted in the organization&apos;s time zone ({zone}, {zoneOffsetLabel(zone)}). At most {MAX_RANGE_DAYS} days; events
            are kept {RETENTION_DAYS} days, since {formatDay(oldest)}.
          </p>
          <div aria-live="polite">
            {problem ? (
              <p className="form-error" role="alert">
                {problem}
              </p>
            ) : (
              <p className="small">{daysInclusive(draft.from, draft.to ?? draft.from)} days selected.</p>
            )}
            {!problem && expired ? (
              <p className="warning-text" role="note">
                Events are kept {RETENTION_DAYS} days: every day of this range is before {formatDay(oldest)}, so it holds no events any
                more.
              </p>
            ) : !problem && pastRetention ? (
              <p className="warning-text" role="note">
                Events are kept {RETENTION_DAYS} days: the days of this range before {formatDay(oldest)} have no events any more.
              </p>
            ) : null}
          </div>
          <div className="popover-actions">
            <Popover.Close className="button">Cancel</Popover.Close>
            <button type="button" className="button button-primary" onClick={apply} disabled={problem !== null}>
              Apply
            </button>
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
