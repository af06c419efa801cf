// Short messages in the bottom-left corner, over the foot of the design panel and never over the charts, the
// boundary or the network diagram: errors for 6 s and notes for 3 s (a hovered one stays until the pointer
// leaves), dismissable, at most three stacked above one another; the same text again restarts its timer instead
// of stacking a copy.
import { useCallback, useEffect, useRef, useState } from 'react';
import '../styles/toasts.css';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

/** How long a toast stays, by kind. */
export const TOAST_MS: Readonly<Record<Toast['kind'], number>> = { error: 6000, info: 3000 };
/** Toasts shown at once; an older one gives way to a newer. */
export const MAX_TOASTS = 3;

/** The toasts and the function that shows one. */
export function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const show = useCallback((kind: Toast['kind'], text: string) => {
    setToasts((list) => {
      const same = list.find((t) => t.kind === kind && t.text === text);
      // the same message again: a fresh id restarts its timer where it stands
      if (same) return list.map((t) => (t === same ? { ...t, id: nextId.current++ } : t));
      return [...list.slice(-(MAX_TOASTS - 1)), { id: nextId.current++, kind, text }];
    });
  }, []);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  return { toasts, show, dismiss };
}

export function Toasts({ toasts, dismiss }: { toasts: Toast[]; dismiss: (id: number) => void }) {
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} dismiss={dismiss} />
      ))}
    </div>
  );
}

function ToastItem({ toast, dismiss }: { toast: Toast; dismiss: (id: number) => void }) {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(() => dismiss(toast.id), TOAST_MS[toast.kind]);
    return () => clearTimeout(timer);
  }, [toast.id, toast.kind, held, dismiss]);
  return (
    <div
      className={`toast ${toast.kind}`}
      data-testid={toast.kind === 'error' ? 'toast-error' : 'toast'}
      role={toast.kind === 'error' ? 'alert' : 'status'}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
    >
      <span className="toast-text">{toast.text}</span>
      <button type="button" className="icon-btn" aria-label="dismiss" data-testid="toast-dismiss" onClick={() => dismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}
