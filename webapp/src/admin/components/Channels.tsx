// Every public and private channel of every team, archived ones too, a page at a time, with
// search: archive/unarchive and public/private.
import {useCallback, useEffect, useState} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';
import type {ChannelWithTeamData} from '@mattermost/types/channels';

import {client} from '../../client';
import {ArchivableTable, PER_PAGE, usePagedList, type Page} from './ArchivableTable';
import {Count, PageHeader, useCounts} from './common';

export function ChannelsView({readOnly = false}: {readOnly?: boolean}) {
    const intl = useIntl();
    const [typed, setTyped] = useState('');
    const [term, setTerm] = useState('');
    const fetchPage = useCallback(async (page: number): Promise<Page<ChannelWithTeamData>> => {
        if (term) {
            const r = await client.searchAllChannels(term, {include_deleted: true, page, per_page: PER_PAGE}) as unknown as {channels: ChannelWithTeamData[]; total_count: number};
            return {rows: r.channels, total: r.total_count};
        }
        const r = await client.getAllChannels(page, PER_PAGE, '', false, true, true, false, false, false);
        return {rows: r.channels, total: r.total_count};
    }, [term]);
    const list = usePagedList(fetchPage);
    const {setPage} = list;
    const members = useCounts((list.rows || []).map((c) => c.id), async (id) => (await client.getChannelStats(id)).member_count);

    useEffect(() => {
        if (typed.trim() === term) {
            return;
        }
        const t = setTimeout(() => {
            setTerm(typed.trim());
            setPage(0);
        }, 300);
        return () => clearTimeout(t);
    }, [typed, term, setPage]);

    return (
        <div className='admin-page'>
            <PageHeader title={<FormattedMessage id='admin.page.channels' defaultMessage='Channels'/>}/>
            <div className='admin-page__body'>
                <div className='admin-filters' role='search'>
                    <input className='input admin-filters__search' type='search' value={typed} onChange={(e) => setTyped(e.target.value)}
                        placeholder={intl.formatMessage({id: 'admin.channels.search', defaultMessage: 'Search channels by name'})}
                        aria-label={intl.formatMessage({id: 'admin.channels.searchLabel', defaultMessage: 'Search channels'})}/>
                </div>
                <ArchivableTable
                    list={list}
                    readOnly={readOnly}
                    columns={[
                        <FormattedMessage key='name' id='admin.channels.colName' defaultMessage='Name'/>,
                        <FormattedMessage key='team' id='admin.channels.colTeam' defaultMessage='Team'/>,
                        <FormattedMessage key='members' id='admin.teams.colMembers' defaultMessage='Members'/>,
                        <FormattedMessage key='privacy' id='admin.channels.colPrivacy' defaultMessage='Privacy'/>,
                        <FormattedMessage key='status' id='admin.channels.colStatus' defaultMessage='Status'/>,
                    ]}
                    cells={(c) => [
                        <><strong>{c.display_name}</strong> <span className='muted'>~{c.name}</span></>,
                        c.team_display_name,
                        <Count value={members[c.id]}/>,
                        <select className='input input--compact' value={c.type} disabled={readOnly || Boolean(c.delete_at) || c.name === 'town-square'}
                            aria-label={intl.formatMessage({id: 'admin.channels.privacyOf', defaultMessage: 'Privacy of {channel}'}, {channel: c.display_name})}
                            onChange={(e) => void list.act(() => client.updateChannelPrivacy(c.id, e.target.value))}>
                            <option value='O'>{intl.formatMessage({id: 'admin.channels.public', defaultMessage: 'Public'})}</option>
                            <option value='P'>{intl.formatMessage({id: 'admin.channels.private', defaultMessage: 'Private'})}</option>
                        </select>,
                    ]}
                    empty={<FormattedMessage id='admin.channels.none' defaultMessage='No channels match.'/>}
                    restoreLabel={<FormattedMessage id='admin.channels.unarchive' defaultMessage='Unarchive'/>}
                    onRestore={(c) => client.unarchiveChannel(c.id)}
                    canArchive={(c) => c.name !== 'town-square'}
                    archiveTitle={(c) => <FormattedMessage id='admin.channels.archiveTitle' defaultMessage='Archive ~{channel}?' values={{channel: c.name}}/>}
                    archiveBody={<FormattedMessage id='admin.channels.archiveBody' defaultMessage='The channel becomes read-only and leaves its members\u2019 sidebars. It can be unarchived.'/>}
                    onArchive={(c) => client.deleteChannel(c.id)}
                />
            </div>
        </div>
    );
}
