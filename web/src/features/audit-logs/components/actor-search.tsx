import { useId, useState, type KeyboardEvent } from 'react';
import { useActorSearch } from '../api/search-actors.js';

/**
 * "User": type part of an email, pick a person from the matches (an ARIA 1.2 combobox: arrow keys move
 * through the list, Enter picks, Escape closes it). `onChange` follows the typing, `onPick` a chosen match;
 * `error` (e.g. "no such user") is shown under the field and tied to it.
 */
export function ActorSearch({
  orgId,
  value,
  onChange,
  onPick,
  error,
}: {
  orgId: string;
  value: string;
  onChange: (text: string) => void;
  onPick: (email: string) => void;
  error: string | null;
}) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const errorId = useId();
  const matches = useActorSearch(orgId, open ? value : '');
  const options = matches.data ?? [];
  const showList = open && value.trim().length > 0;

  const pick = (email: string) => {
    onPick(email);
    setOpen(false);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, options.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === 'Enter' && showList && options[active]) {
      event.preventDefault();
      pick(options[active].email);
    } else if (event.key === 'Escape' && showList) {
      event.stopPropagation();
      setOpen(false);
    }
  };

  return (
    <div className="combobox">
      <input
        className="input"
        type="text"
        role="combobox"
        aria-label="User email"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && options[active] ? `${listId}-${active}` : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        placeholder="Type an email"
        autoComplete="off"
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      {showList ? (
        <ul className="combobox-list" role="listbox" id={listId} aria-label="Matching users">
          {options.length === 0 ? (
            <li className="combobox-empty" role="presentation">
              {matches.isFetching ? 'Searching…' : 'No user with that email in this log.'}
            </li>
          ) : (
            options.map((option, i) => (
              <li
                key={option.email}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'combobox-option active' : 'combobox-option'}
                // mousedown, not click: it fires before the input's blur closes the list.
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(option.email);
                }}
              >
                <span className="option-name">{option.name ?? option.email}</span>
                <span className="option-email">{option.email}</span>
              </li>
            ))
          )}
        </ul>
      ) : null}
      {error ? (
        <p className="form-error" id={errorId} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
