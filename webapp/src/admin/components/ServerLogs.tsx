// The server's log file (GET /logs), newest line first, with a level filter and a search.
import {useCallback, useEffect, useMemo, useState} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';

import {client} from '../../client';
import {LEVELS, filterLogs, parseLogLine, type LogLevel, type LogLine} from '../lib/stats';
import {ErrorNote, Loading, PageHeader} from './common';

const PER_PAGE = 1000;

export function ServerLogs() {
    const intl = useIntl();
    const [lines, setLines] = useState<LogLine[] | null>(null);
    const [pages, setPages] = useState(1);
    const [more, setMore] = useState(false);
    const [level, setLevel] = useState<LogLevel | ''>('');
    const [term, setTerm] = useState('');
    const [error, setError] = useState<unknown>(null);
    const [busy, setBusy] = useState(false);

    const load = useCallback(async (count: number) => {
        setBusy(true);
        setError(null);
        try {
            const all: string[] = [];
            for (let page = count - 1; page >= 0; page--) {
                all.push(...await client.getPlainLogs(page, PER_PAGE));
            }
            setLines(all.map(parseLogLine).reverse());
            setMore(all.length >= count * PER_PAGE);
        } catch (e) {
            setError(e);
        } finally {
            setBusy(false);
        }
    }, []);

    useEffect(() => {
        void load(pages);
    }, [load, pages]);

    const shown = useMemo(() => (lines ? filterLogs(lines, level, term) : []), [lines, level, term]);

    return (
        <div className='admin-page'>
            <PageHeader title={<FormattedMessage id='admin.page.serverLogs' defaultMessage='Server Logs'/>}>
                <button type='button' className='btn btn--secondary btn--small' disabled={busy} onClick={() => void load(pages)}>
                    <FormattedMessage id='admin.logs.reload' defaultMessage='Reload'/>
                </button>
            </PageHeader>
            <div className='admin-page__body'>
                <div className='admin-filters' role='search'>
                    <input className='input admin-filters__search' type='search' value={term} onChange={(e) => setTerm(e.target.value)}
                        placeholder={intl.formatMessage({id: 'admin.logs.search', defaultMessage: 'Search the log'})}
                        aria-label={intl.formatMessage({id: 'admin.logs.searchLabel', defaultMessage: 'Search the log'})}/>
                    <select className='input' value={level} onChange={(e) => setLevel(e.target.value as LogLevel | '')}
                        aria-label={intl.formatMessage({id: 'admin.logs.level', defaultMessage: 'Lowest level'})}>
                        <option value=''>{intl.formatMessage({id: 'admin.logs.allLevels', defaultMessage: 'All levels'})}</option>
                        {LEVELS.map((l) => <option key={l} value={l}>{intl.formatMessage({id: 'admin.logs.atLeast', defaultMessage: '{level} and above'}, {level: l.toUpperCase()})}</option>)}
                    </select>
                </div>
                <ErrorNote error={error}/>
                {!lines && !error && <Loading/>}
                {lines && (
                    <>
                        <p className='muted admin-table__note' aria-live='polite'>
                            <FormattedMessage id='admin.logs.count' defaultMessage='{shown, number} of the last {total, number} lines, newest first.' values={{shown: shown.length, total: lines.length}}/>
                        </p>
                        {shown.length === 0 && (
                            <p className='admin-empty'><FormattedMessage id='admin.logs.none' defaultMessage='No lines match.'/></p>
                        )}
                        <ol hidden={shown.length === 0} className='admin-logs' aria-label={intl.formatMessage({id: 'admin.logs.lines', defaultMessage: 'Log lines'})}>
                            {shown.slice(0, 2000).map((l, i) => (
                                <li key={`${i}-${l.time}`} className={`admin-log admin-log--${l.level || 'none'}`}>
                                    <span className='admin-log__time'>{l.time}</span>
                                    <span className='admin-log__level'>{l.level.toUpperCase()}</span>
                                    <span className='admin-log__msg'>{l.msg}</span>
                                    {Object.keys(l.fields).length > 0 && (
                                        <span className='admin-log__fields'>
                                            {Object.entries(l.fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}
                                        </span>
                                    )}
                                </li>
                            ))}
                        </ol>
                        {more && (
                            <button type='button' className='btn btn--ghost' disabled={busy} onClick={() => setPages(pages + 1)}>
                                <FormattedMessage id='admin.logs.older' defaultMessage='Load older lines'/>
                            </button>
                        )}
                    </>
                )}
            </div>
        </div>
    );
}
