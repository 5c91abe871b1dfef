// Every team, archived ones too, a page at a time: archive/restore, open or invite-only.
import {useCallback, useEffect, useState} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';
import type {Team} from '@mattermost/types/teams';

import {client} from '../../client';
import {apiFetch, query} from '../lib/api';
import {Count, ErrorNote, Loading, PageHeader, Pager, useCounts} from './common';
import {ConfirmDialog} from './Users';

const PER_PAGE = 50;

export function TeamsView({readOnly = false}: {readOnly?: boolean}) {
    const intl = useIntl();
    const [page, setPage] = useState(0);
    const [teams, setTeams] = useState<Team[] | null>(null);
    const [total, setTotal] = useState<number | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [archiving, setArchiving] = useState<Team | null>(null);
    const members = useCounts((teams || []).map((t) => t.id), async (id) => (await client.getTeamStats(id)).active_member_count);

    const load = useCallback(async () => {
        setError(null);
        try {
            // archived teams are listed too (include_deleted), as the System Console shows them
            const r = await apiFetch<{teams: Team[]; total_count: number}>(
                `/teams${query({page, per_page: PER_PAGE, include_total_count: true, include_deleted: true})}`);
            setTeams(r.teams);
            setTotal(r.total_count);
        } catch (e) {
            setError(e);
        }
    }, [page]);

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
            <PageHeader title={<FormattedMessage id='admin.page.teams' defaultMessage='Teams'/>}/>
            <div className='admin-page__body'>
                <ErrorNote error={error}/>
                {!teams && !error && <Loading/>}
                {teams && (
                    <>
                        <table className='admin-table'>
                            <thead>
                                <tr>
                                    <th scope='col'><FormattedMessage id='admin.teams.colName' defaultMessage='Name'/></th>
                                    <th scope='col'><FormattedMessage id='admin.teams.colMembers' defaultMessage='Members'/></th>
                                    <th scope='col'><FormattedMessage id='admin.teams.colPrivacy' defaultMessage='Who can join'/></th>
                                    <th scope='col'><FormattedMessage id='admin.teams.colStatus' defaultMessage='Status'/></th>
                                    <th scope='col'><span className='sr-only'><FormattedMessage id='admin.teams.colActions' defaultMessage='Actions'/></span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {teams.map((t) => (
                                    <tr key={t.id}>
                                        <td><strong>{t.display_name}</strong> <span className='muted'>/{t.name}</span></td>
                                        <td><Count value={members[t.id]}/></td>
                                        <td>
                                            <select
                                                className='input input--compact'
                                                value={t.allow_open_invite ? 'O' : 'I'}
                                                disabled={readOnly || Boolean(t.delete_at)}
                                                aria-label={intl.formatMessage({id: 'admin.teams.privacyOf', defaultMessage: 'Who can join {team}'}, {team: t.display_name})}
                                                onChange={(e) => void act(() => client.patchTeam({id: t.id, allow_open_invite: e.target.value === 'O'}))}
                                            >
                                                <option value='O'>{intl.formatMessage({id: 'admin.teams.open', defaultMessage: 'Anyone on the server'})}</option>
                                                <option value='I'>{intl.formatMessage({id: 'admin.teams.inviteOnly', defaultMessage: 'Invited people only'})}</option>
                                            </select>
                                        </td>
                                        <td>{t.delete_at
                                            ? <span className='admin-status admin-status--off'><FormattedMessage id='admin.teams.archived' defaultMessage='Archived'/></span>
                                            : <span className='admin-status'><FormattedMessage id='admin.users.active' defaultMessage='Active'/></span>}</td>
                                        <td className='admin-table__actions'>
                                            {readOnly ? null : t.delete_at
                                                ? <button type='button' className='btn btn--secondary btn--small' onClick={() => void act(() => client.unarchiveTeam(t.id))}>
                                                    <FormattedMessage id='admin.teams.restore' defaultMessage='Restore'/>
                                                </button>
                                                : <button type='button' className='btn btn--danger-ghost btn--small' onClick={() => setArchiving(t)}>
                                                    <FormattedMessage id='admin.teams.archive' defaultMessage='Archive'/>
                                                </button>}
                                        </td>
                                    </tr>
                                ))}
                                {teams.length === 0 && <tr><td colSpan={5} className='admin-table__empty'><FormattedMessage id='admin.teams.none' defaultMessage='No teams yet.'/></td></tr>}
                            </tbody>
                        </table>
                        <Pager page={page} perPage={PER_PAGE} shown={teams.length} total={total} onPage={setPage}/>
                    </>
                )}
            </div>
            {archiving && (
                <ConfirmDialog
                    title={<FormattedMessage id='admin.teams.archiveTitle' defaultMessage='Archive {team}?' values={{team: archiving.display_name}}/>}
                    body={<FormattedMessage id='admin.teams.archiveBody' defaultMessage='Its members lose access to it until it is restored. Nothing is deleted.'/>}
                    action={<FormattedMessage id='admin.teams.archive' defaultMessage='Archive'/>}
                    danger
                    onClose={() => setArchiving(null)}
                    onConfirm={() => act(() => client.deleteTeam(archiving.id))}
                />
            )}
        </div>
    );
}
