// Small parts the runs table and its detail pane share: the inline editor of a name or tags, the edits both make
// to a run, and the row icons.
import { useState } from 'react';
import type { RunSummary } from '../api';

/** What the row and the detail pane do to a run: one implementation of each edit. */
export interface RunEdits {
  rename(r: RunSummary, name: string | null): void;
  setTags(r: RunSummary, text: string | null): void;
  remove(r: RunSummary): void;
}

export function InlineEdit({ initial, onDone, placeholder, testId }: { initial: string; onDone: (v: string | null) => void; placeholder?: string; testId?: string }) {
  const [text, setText] = useState(initial);
  return (
    <input
      autoFocus
      className="inline-edit"
      value={text}
      placeholder={placeholder}
      data-testid={testId}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => onDone(text)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onDone(text);
        else if (e.key === 'Escape') onDone(null);
        e.stopPropagation();
      }}
    />
  );
}

const svg = { width: 14, height: 14, viewBox: '0 0 16 16', 'aria-hidden': true, fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const };
export const PenIcon = () => (
  <svg {...svg}>
    <path d="M11 2.5l2.5 2.5L6 12.5 3 13l.5-3z" />
  </svg>
);
export const InfoIcon = () => (
  <svg {...svg}>
    <circle cx="8" cy="8" r="6" />
    <path d="M8 7.5v3.5M8 5v.01" />
  </svg>
);
export const TrashIcon = () => (
  <svg {...svg}>
    <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.5 8.5h6l.5-8.5" />
  </svg>
);
