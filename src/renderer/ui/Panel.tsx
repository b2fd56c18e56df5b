import { useState, type ReactNode } from 'react';

/** A collapsible sidebar section. */
export function Panel({ title, children, right, defaultOpen = true, testid }: { title: string; children: ReactNode; right?: ReactNode; defaultOpen?: boolean; testid?: string }) {
  const [open, setOpen] = useState(defaultOpen);
  return (
    <section className={`panel${open ? '' : ' closed'}`} data-testid={testid}>
      <header className="panel-head">
        <button type="button" className="panel-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
          <span className="chev" aria-hidden="true">{open ? '▾' : '▸'}</span>
          {title}
        </button>
        {right}
      </header>
      {open && <div className="panel-body">{children}</div>}
    </section>
  );
}
