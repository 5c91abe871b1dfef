// Every team, archived ones too, a page at a time: archive/restore, open or invite-only.
import {useCallback} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';
import type {Team} from '@mattermost/types/teams';

import {client} from '../../client';
import {apiFetch, query} from '../lib/api';
import {ArchivableTable, PER_PAGE, usePagedList} from './ArchivableTable';
import {Count, PageHeader, useCounts} from './common';

export function TeamsView({readOnly = false}: {readOnly?: boolean}) {
    const intl = useIntl();
    const fetchPage = useCallback(async (page: number) => {
        // archived teams are listed too (include_deleted), as the System Console shows them
        const r = await apiFetch<{teams: Team[]; total_count: number}>(
            `/teams${query({page, per_page: PER_PAGE, include_total_count: true, include_deleted: true})}`);
        return {rows: r.teams, total: r.total_count};
    }, []);
    const list = usePagedList(fetchPage);
    const members = useCounts((list.rows || []).map((t) => t.id), async (id) => (await client.getTeamStats(id)).active_member_count);

    return (
        <div className='admin-page'>
            <PageHeader title={<FormattedMessage id='admin.page.teams' defaultMessage='Teams'/>}/>
            <div className='admin-page__body'>
                <ArchivableTable
                    list={list}
                    readOnly={readOnly}
                    columns={[
                        <FormattedMessage key='name' id='admin.teams.colName' defaultMessage='Name'/>,
                        <FormattedMessage key='members' id='admin.teams.colMembers' defaultMessage='Members'/>,
                        <FormattedMessage key='privacy' id='admin.teams.colPrivacy' defaultMessage='Who can join'/>,
                        <FormattedMessage key='status' id='admin.teams.colStatus' defaultMessage='Status'/>,
                    ]}
                    cells={(t) => [
                        <><strong>{t.display_name}</strong> <span className='muted'>/{t.name}</span></>,
                        <Count value={members[t.id]}/>,
                        <select
                            className='input input--compact'
                            value={t.allow_open_invite ? 'O' : 'I'}
                            disabled={readOnly || Boolean(t.delete_at)}
                            aria-label={intl.formatMessage({id: 'admin.teams.privacyOf', defaultMessage: 'Who can join {team}'}, {team: t.display_name})}
                            onChange={(e) => void list.act(() => client.patchTeam({id: t.id, allow_open_invite: e.target.value === 'O'}))}
                        >
                            <option value='O'>{intl.formatMessage({id: 'admin.teams.open', defaultMessage: 'Anyone on the server'})}</option>
                            <option value='I'>{intl.formatMessage({id: 'admin.teams.inviteOnly', defaultMessage: 'Invited people only'})}</option>
                        </select>,
                    ]}
                    empty={<FormattedMessage id='admin.teams.none' defaultMessage='No teams yet.'/>}
                    restoreLabel={<FormattedMessage id='admin.teams.restore' defaultMessage='Restore'/>}
                    onRestore={(t) => client.unarchiveTeam(t.id)}
                    archiveTitle={(t) => <FormattedMessage id='admin.teams.archiveTitle' defaultMessage='Archive {team}?' values={{team: t.display_name}}/>}
                    archiveBody={<FormattedMessage id='admin.teams.archiveBody' defaultMessage='Its members lose access to it until it is restored. Nothing is deleted.'/>}
                    onArchive={(t) => client.deleteTeam(t.id)}
                />
            </div>
        </div>
    );
}
