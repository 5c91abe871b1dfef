// Small pieces every System Console page uses: loading, errors, dialogs, paging.
import {useEffect, useId, useRef, useState, type ReactNode} from 'react';
import {FormattedMessage, FormattedNumber, useIntl} from 'react-intl';

import {errorText} from '../../client';

export function Loading() {
    const intl = useIntl();
    return <div className='spinner' role='status' aria-label={intl.formatMessage({id: 'admin.loading', defaultMessage: 'Loading…'})}/>;
}

/** The server's refusal, said plainly. */
export function ErrorNote({error}: {error: unknown}) {
    if (!error) {
        return null;
    }
    const e = error as {message?: string; status_code?: number};
    if (e.status_code === 403) {
        return (
            <p className='admin-error' role='alert'>
                <FormattedMessage id='admin.error.forbidden' defaultMessage='The server refused: you do not have permission to do this.'/>
            </p>
        );
    }
    return <p className='admin-error' role='alert'>{errorText(e)}</p>;
}

/** A modal dialog (focus trapped, Escape closes), styled like the rest of the UI's dialogs. */
export function Dialog({title, children, footer, onClose}: {title: ReactNode; children: ReactNode; footer: ReactNode; onClose: () => void}) {
    const id = useId();
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
        const previous = document.activeElement as HTMLElement | null;
        ref.current?.querySelector<HTMLElement>('[autofocus], input, select, textarea, .modal__footer button:last-child')?.focus();
        return () => previous?.focus?.();
    }, []);
    return (
        <div className='modal-backdrop' onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
            <div
                ref={ref}
                className='modal'
                role='dialog'
                aria-modal='true'
                aria-labelledby={id}
                onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                        e.stopPropagation();
                        onClose();
                    }
                    if (e.key === 'Tab' && ref.current) {
                        const all = [...ref.current.querySelectorAll<HTMLElement>('button:not([disabled]), input, select, textarea, a[href]')];
                        if (all.length && e.shiftKey && document.activeElement === all[0]) {
                            e.preventDefault();
                            all[all.length - 1].focus();
                        } else if (all.length && !e.shiftKey && document.activeElement === all[all.length - 1]) {
                            e.preventDefault();
                            all[0].focus();
                        }
                    }
                }}
            >
                <div className='modal__header'><h2 id={id}>{title}</h2></div>
                <div className='modal__body'>{children}</div>
                <div className='modal__footer'>{footer}</div>
            </div>
        </div>
    );
}

/** "1–50 of 10,000" with previous/next buttons. `total` may be unknown (null). */
export function Pager({page, perPage, shown, total, onPage}: {
    page: number; perPage: number; shown: number; total: number | null; onPage: (p: number) => void;
}) {
    const intl = useIntl();
    const from = shown ? page * perPage + 1 : 0;
    const to = page * perPage + shown;
    const hasNext = total === null ? shown === perPage : to < total;
    return (
        <div className='admin-pager'>
            <span className='muted' aria-live='polite'>
                {total === null
                    ? <FormattedMessage id='admin.pager.range' defaultMessage='{from, number}–{to, number}' values={{from, to}}/>
                    : <FormattedMessage id='admin.pager.rangeOf' defaultMessage='{from, number}–{to, number} of {total, number}' values={{from, to, total}}/>}
            </span>
            <button type='button' className='btn btn--ghost btn--small' disabled={page === 0} onClick={() => onPage(page - 1)}
                aria-label={intl.formatMessage({id: 'admin.pager.previous', defaultMessage: 'Previous page'})}>
                <FormattedMessage id='admin.pager.prev' defaultMessage='Previous'/>
            </button>
            <button type='button' className='btn btn--ghost btn--small' disabled={!hasNext} onClick={() => onPage(page + 1)}
                aria-label={intl.formatMessage({id: 'admin.pager.nextPage', defaultMessage: 'Next page'})}>
                <FormattedMessage id='admin.pager.next' defaultMessage='Next'/>
            </button>
        </div>
    );
}

export function PageHeader({title, children}: {title: ReactNode; children?: ReactNode}) {
    return (
        <header className='admin-page__header'>
            <h1 className='admin-page__title'>{title}</h1>
            {children}
        </header>
    );
}

/** Member counts of the rows on screen, one request per row (a page holds at most 50): missing until known, null if refused. */
export function useCounts(ids: string[], fetch: (id: string) => Promise<number>): Record<string, number | null> {
    const [counts, setCounts] = useState<Record<string, number | null>>({});
    const key = ids.join(',');
    useEffect(() => {
        let cancelled = false;
        for (const id of key ? key.split(',') : []) {
            fetch(id).then((n) => n, () => null).then((n) => {
                if (!cancelled) {
                    setCounts((c) => ({...c, [id]: n}));
                }
            });
        }
        return () => {
            cancelled = true;
        };
    }, [key]);
    return counts;
}

export function Count({value}: {value: number | null | undefined}) {
    return value === undefined || value === null ? <span className='muted'>–</span> : <FormattedNumber value={value}/>;
}
