// What the Teams and Channels pages share: a page of rows fetched by number, actions that reload it,
// and the table of rows that can be archived and restored (status, buttons, confirm dialog, pager).
import {useCallback, useEffect, useState, type ReactNode} from 'react';
import {FormattedMessage} from 'react-intl';

import {ErrorNote, Loading, Pager} from './common';
import {ConfirmDialog} from './Users';

export const PER_PAGE = 50;

export type Page<T> = {rows: T[]; total: number};

export type PagedList<T> = {
    page: number;
    setPage: (page: number) => void;
    rows: T[] | null;
    total: number | null;
    error: unknown;
    /** Run a change, then reload the page; a refusal is shown instead. */
    act: (fn: () => Promise<unknown>) => Promise<void>;
};

/** The page `fetchPage` returns for the current page number, fetched again when either changes. */
export function usePagedList<T>(fetchPage: (page: number) => Promise<Page<T>>): PagedList<T> {
    const [page, setPage] = useState(0);
    const [rows, setRows] = useState<T[] | null>(null);
    const [total, setTotal] = useState<number | null>(null);
    const [error, setError] = useState<unknown>(null);

    const load = useCallback(async () => {
        setError(null);
        try {
            const r = await fetchPage(page);
            setRows(r.rows);
            setTotal(r.total);
        } catch (e) {
            setError(e);
        }
    }, [fetchPage, page]);

    useEffect(() => {
        void load();
    }, [load]);

    const act = async (fn: () => Promise<unknown>) => {
        setError(null);
        try {
            await fn();
            await load();
        } catch (e) {
            setError(e);
        }
    };
    return {page, setPage, rows, total, error, act};
}

type Archivable = {id: string; delete_at: number};

/**
 * The rows of `list`: the page's own `cells`, then the status (archived or active) and the actions
 * (restore, or archive after a confirmation; none when `readOnly`). `columns` heads the page's cells
 * and the status.
 */
export function ArchivableTable<T extends Archivable>({list, readOnly, columns, cells, empty, restoreLabel, onRestore,
    canArchive = () => true, archiveTitle, archiveBody, onArchive}: {
    list: PagedList<T>;
    readOnly: boolean;
    columns: ReactNode[];
    cells: (row: T) => ReactNode[];
    empty: ReactNode;
    restoreLabel: ReactNode;
    onRestore: (row: T) => Promise<unknown>;
    canArchive?: (row: T) => boolean;
    archiveTitle: (row: T) => ReactNode;
    archiveBody: ReactNode;
    onArchive: (row: T) => Promise<unknown>;
}) {
    const [archiving, setArchiving] = useState<T | null>(null);
    const {rows, error, act} = list;
    return (
        <>
            <ErrorNote error={error}/>
            {!rows && !error && <Loading/>}
            {rows && (
                <>
                    <table className='admin-table'>
                        <thead>
                            <tr>
                                {columns.map((c, i) => <th key={i} scope='col'>{c}</th>)}
                                <th scope='col'><span className='sr-only'><FormattedMessage id='admin.teams.colActions' defaultMessage='Actions'/></span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.map((row) => (
                                <tr key={row.id}>
                                    {cells(row).map((cell, i) => <td key={i}>{cell}</td>)}
                                    <td>{row.delete_at
                                        ? <span className='admin-status admin-status--off'><FormattedMessage id='admin.teams.archived' defaultMessage='Archived'/></span>
                                        : <span className='admin-status'><FormattedMessage id='admin.users.active' defaultMessage='Active'/></span>}</td>
                                    <td className='admin-table__actions'>
                                        {readOnly ? null : row.delete_at
                                            ? <button type='button' className='btn btn--secondary btn--small' onClick={() => void act(() => onRestore(row))}>
                                                {restoreLabel}
                                            </button>
                                            : <button type='button' className='btn btn--danger-ghost btn--small' disabled={!canArchive(row)} onClick={() => setArchiving(row)}>
                                                <FormattedMessage id='admin.teams.archive' defaultMessage='Archive'/>
                                            </button>}
                                    </td>
                                </tr>
                            ))}
                            {rows.length === 0 && <tr><td colSpan={columns.length + 1} className='admin-table__empty'>{empty}</td></tr>}
                        </tbody>
                    </table>
                    <Pager page={list.page} perPage={PER_PAGE} shown={rows.length} total={list.total} onPage={list.setPage}/>
                </>
            )}
            {archiving && (
                <ConfirmDialog
                    title={archiveTitle(archiving)}
                    body={archiveBody}
                    action={<FormattedMessage id='admin.teams.archive' defaultMessage='Archive'/>}
                    danger
                    onClose={() => setArchiving(null)}
                    onConfirm={() => act(() => onArchive(archiving))}
                />
            )}
        </>
    );
}
