// Every public and private channel of every team, archived ones too, a page at a time, with
// search: archive/unarchive and public/private.
import {useCallback, useEffect, useState} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';
import type {ChannelWithTeamData} from '@mattermost/types/channels';

import {client} from '../../client';
import {Count, ErrorNote, Loading, PageHeader, Pager, useCounts} from './common';
import {ConfirmDialog} from './Users';

const PER_PAGE = 50;

export function ChannelsView({readOnly = false}: {readOnly?: boolean}) {
    const intl = useIntl();
    const [page, setPage] = useState(0);
    const [typed, setTyped] = useState('');
    const [term, setTerm] = useState('');
    const [channels, setChannels] = useState<ChannelWithTeamData[] | null>(null);
    const [total, setTotal] = useState<number | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [archiving, setArchiving] = useState<ChannelWithTeamData | null>(null);
    const members = useCounts((channels || []).map((c) => c.id), async (id) => (await client.getChannelStats(id)).member_count);

    useEffect(() => {
        if (typed.trim() === term) {
            return;
        }
        const t = setTimeout(() => {
            setTerm(typed.trim());
            setPage(0);
        }, 300);
        return () => clearTimeout(t);
    }, [typed, term]);

    const load = useCallback(async () => {
        setError(null);
        try {
            if (term) {
                const r = await client.searchAllChannels(term, {include_deleted: true, page, per_page: PER_PAGE}) as unknown as {channels: ChannelWithTeamData[]; total_count: number};
                setChannels(r.channels);
                setTotal(r.total_count);
            } else {
                const r = await client.getAllChannels(page, PER_PAGE, '', false, true, true, false, false, false);
                setChannels(r.channels);
                setTotal(r.total_count);
            }
        } catch (e) {
            setError(e);
        }
    }, [page, term]);

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

    return (
        <div className='admin-page'>
            <PageHeader title={<FormattedMessage id='admin.page.channels' defaultMessage='Channels'/>}/>
            <div className='admin-page__body'>
                <div className='admin-filters' role='search'>
                    <input className='input admin-filters__search' type='search' value={typed} onChange={(e) => setTyped(e.target.value)}
                        placeholder={intl.formatMessage({id: 'admin.channels.search', defaultMessage: 'Search channels by name'})}
                        aria-label={intl.formatMessage({id: 'admin.channels.searchLabel', defaultMessage: 'Search channels'})}/>
                </div>
                <ErrorNote error={error}/>
                {!channels && !error && <Loading/>}
                {channels && (
                    <>
                        <table className='admin-table'>
                            <thead>
                                <tr>
                                    <th scope='col'><FormattedMessage id='admin.channels.colName' defaultMessage='Name'/></th>
                                    <th scope='col'><FormattedMessage id='admin.channels.colTeam' defaultMessage='Team'/></th>
                                    <th scope='col'><FormattedMessage id='admin.teams.colMembers' defaultMessage='Members'/></th>
                                    <th scope='col'><FormattedMessage id='admin.channels.colPrivacy' defaultMessage='Privacy'/></th>
                                    <th scope='col'><FormattedMessage id='admin.channels.colStatus' defaultMessage='Status'/></th>
                                    <th scope='col'><span className='sr-only'><FormattedMessage id='admin.teams.colActions' defaultMessage='Actions'/></span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {channels.map((c) => (
                                    <tr key={c.id}>
                                        <td><strong>{c.display_name}</strong> <span className='muted'>~{c.name}</span></td>
                                        <td>{c.team_display_name}</td>
                                        <td><Count value={members[c.id]}/></td>
                                        <td>
                                            <select className='input input--compact' value={c.type} disabled={readOnly || Boolean(c.delete_at) || c.name === 'town-square'}
                                                aria-label={intl.formatMessage({id: 'admin.channels.privacyOf', defaultMessage: 'Privacy of {channel}'}, {channel: c.display_name})}
                                                onChange={(e) => void act(() => client.updateChannelPrivacy(c.id, e.target.value))}>
                                                <option value='O'>{intl.formatMessage({id: 'admin.channels.public', defaultMessage: 'Public'})}</option>
                                                <option value='P'>{intl.formatMessage({id: 'admin.channels.private', defaultMessage: 'Private'})}</option>
                                            </select>
                                        </td>
                                        <td>{c.delete_at
                                            ? <span className='admin-status admin-status--off'><FormattedMessage id='admin.teams.archived' defaultMessage='Archived'/></span>
                                            : <span className='admin-status'><FormattedMessage id='admin.users.active' defaultMessage='Active'/></span>}</td>
                                        <td className='admin-table__actions'>
                                            {readOnly ? null : c.delete_at
                                                ? <button type='button' className='btn btn--secondary btn--small' onClick={() => void act(() => client.unarchiveChannel(c.id))}>
                                                    <FormattedMessage id='admin.channels.unarchive' defaultMessage='Unarchive'/>
                                                </button>
                                                : <button type='button' className='btn btn--danger-ghost btn--small' disabled={c.name === 'town-square'} onClick={() => setArchiving(c)}>
                                                    <FormattedMessage id='admin.teams.archive' defaultMessage='Archive'/>
                                                </button>}
                                        </td>
                                    </tr>
                                ))}
                                {channels.length === 0 && <tr><td colSpan={6} className='admin-table__empty'><FormattedMessage id='admin.channels.none' defaultMessage='No channels match.'/></td></tr>}
                            </tbody>
                        </table>
                        <Pager page={page} perPage={PER_PAGE} shown={channels.length} total={total} onPage={setPage}/>
                    </>
                )}
            </div>
            {archiving && (
                <ConfirmDialog
                    title={<FormattedMessage id='admin.channels.archiveTitle' defaultMessage='Archive ~{channel}?' values={{channel: archiving.name}}/>}
                    body={<FormattedMessage id='admin.channels.archiveBody' defaultMessage='The channel becomes read-only and leaves its members\u2019 sidebars. It can be unarchived.'/>}
                    action={<FormattedMessage id='admin.teams.archive' defaultMessage='Archive'/>}
                    danger
                    onClose={() => setArchiving(null)}
                    onConfirm={() => act(() => client.deleteChannel(archiving.id))}
                />
            )}
        </div>
    );
}
