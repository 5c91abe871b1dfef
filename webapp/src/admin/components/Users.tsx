// User management: the paged, filtered users list and one user's page (activation, role,
// password, MFA, sessions, teams).
import {useCallback, useEffect, useState, type ReactNode} from 'react';
import {FormattedDate, FormattedMessage, useIntl} from 'react-intl';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import {avatarUrl, client} from '../../client';
import {navigate} from '../../router';
import {useStore} from '../../store';
import {adminPaths} from '../lib/paths';
import {
    EMPTY_FILTER, PER_PAGE, keepStatus, listOptions, mainRole, rolesFor, searchOptions, statsQueries,
    type Role, type RoleFilter, type StatusFilter, type UserFilter,
} from '../lib/users';
import {Dialog, ErrorNote, Loading, PageHeader, Pager} from './common';

async function countUsers(f: UserFilter): Promise<number | null> {
    const q = statsQueries(f);
    if (!q) {
        return null;
    }
    const plus = await client.getFilteredUsersStats(q.plus as never);
    const minus = q.minus ? await client.getFilteredUsersStats(q.minus as never) : {total_users_count: 0};
    return plus.total_users_count - minus.total_users_count;
}

/** Every team, for the filters and "Add to team" (few enough to list whole). */
function useAllTeams(): Team[] {
    const [teams, setTeams] = useState<Team[]>([]);
    useEffect(() => {
        let cancelled = false;
        (async () => {
            const out: Team[] = [];
            for (let page = 0; page < 20; page++) {
                const batch = await client.getTeams(page, 200) as Team[];
                out.push(...batch);
                if (batch.length < 200) {
                    break;
                }
            }
            if (!cancelled) {
                setTeams(out.sort((a, b) => a.display_name.localeCompare(b.display_name)));
            }
        })().catch(() => undefined);
        return () => {
            cancelled = true;
        };
    }, []);
    return teams;
}

export function RoleName({roles}: {roles: string}) {
    const role = mainRole(roles);
    if (role === 'system_admin') {
        return <FormattedMessage id='admin.role.systemAdmin' defaultMessage='System Admin'/>;
    }
    if (role === 'system_guest') {
        return <FormattedMessage id='admin.role.guest' defaultMessage='Guest'/>;
    }
    if (role === 'system_manager') {
        return <FormattedMessage id='admin.role.systemManager' defaultMessage='System Manager'/>;
    }
    if (role === 'system_user_manager') {
        return <FormattedMessage id='admin.role.userManager' defaultMessage='User Manager'/>;
    }
    if (role === 'system_read_only_admin') {
        return <FormattedMessage id='admin.role.readOnlyAdmin' defaultMessage='Read-only Admin'/>;
    }
    return <FormattedMessage id='admin.role.member' defaultMessage='Member'/>;
}

export function UsersView() {
    const intl = useIntl();
    const teams = useAllTeams();
    const [filter, setFilter] = useState<UserFilter>(EMPTY_FILTER);
    const [typed, setTyped] = useState('');
    const [page, setPage] = useState(0);
    const [users, setUsers] = useState<UserProfile[] | null>(null);
    const [total, setTotal] = useState<number | null>(null);
    const [error, setError] = useState<unknown>(null);

    // The search box waits for a pause in typing.
    useEffect(() => {
        const term = typed.trim();
        if (term === filter.term) {
            return;
        }
        const t = setTimeout(() => {
            setFilter((f) => ({...f, term}));
            setPage(0);
        }, 300);
        return () => clearTimeout(t);
    }, [typed, filter.term]);

    useEffect(() => {
        let cancelled = false;
        setUsers(null);
        setError(null);
        (async () => {
            if (filter.term) {
                const found = keepStatus(await client.searchUsers(filter.term, searchOptions(filter)), filter.status);
                if (!cancelled) {
                    setUsers(found);
                    setTotal(found.length);
                }
                return;
            }
            const [list, count] = await Promise.all([
                client.getProfiles(page, PER_PAGE, listOptions(filter)),
                countUsers(filter),
            ]);
            if (!cancelled) {
                setUsers(list);
                setTotal(count);
            }
        })().catch((e) => !cancelled && setError(e));
        return () => {
            cancelled = true;
        };
    }, [filter, page]);

    const set = (patch: Partial<UserFilter>) => {
        setFilter((f) => ({...f, ...patch}));
        setPage(0);
    };

    const searching = Boolean(filter.term);
    return (
        <div className='admin-page'>
            <PageHeader title={<FormattedMessage id='admin.page.users' defaultMessage='Users'/>}/>
            <div className='admin-page__body'>
                <div className='admin-filters' role='search'>
                    <input
                        className='input admin-filters__search'
                        type='search'
                        value={typed}
                        onChange={(e) => setTyped(e.target.value)}
                        placeholder={intl.formatMessage({id: 'admin.users.search', defaultMessage: 'Search by name, username or email'})}
                        aria-label={intl.formatMessage({id: 'admin.users.searchLabel', defaultMessage: 'Search users'})}
                    />
                    <select className='input' value={filter.role} onChange={(e) => set({role: e.target.value as RoleFilter})}
                        aria-label={intl.formatMessage({id: 'admin.users.filterRole', defaultMessage: 'Role'})}>
                        <option value=''>{intl.formatMessage({id: 'admin.users.anyRole', defaultMessage: 'All roles'})}</option>
                        <option value='system_admin'>{intl.formatMessage({id: 'admin.role.systemAdmin', defaultMessage: 'System Admin'})}</option>
                        <option value='system_user'>{intl.formatMessage({id: 'admin.role.member', defaultMessage: 'Member'})}</option>
                        <option value='system_guest'>{intl.formatMessage({id: 'admin.role.guest', defaultMessage: 'Guest'})}</option>
                        <option value='system_manager'>{intl.formatMessage({id: 'admin.role.systemManager', defaultMessage: 'System Manager'})}</option>
                        <option value='system_user_manager'>{intl.formatMessage({id: 'admin.role.userManager', defaultMessage: 'User Manager'})}</option>
                        <option value='system_read_only_admin'>{intl.formatMessage({id: 'admin.role.readOnlyAdmin', defaultMessage: 'Read-only Admin'})}</option>
                    </select>
                    <select className='input' value={filter.team} onChange={(e) => set({team: e.target.value})}
                        aria-label={intl.formatMessage({id: 'admin.users.filterTeam', defaultMessage: 'Team'})}>
                        <option value=''>{intl.formatMessage({id: 'admin.users.anyTeam', defaultMessage: 'All teams'})}</option>
                        <option value='none'>{intl.formatMessage({id: 'admin.users.noTeam', defaultMessage: 'No team'})}</option>
                        {teams.map((t) => <option key={t.id} value={t.id}>{t.display_name}</option>)}
                    </select>
                    <select className='input' value={filter.status} onChange={(e) => set({status: e.target.value as StatusFilter})}
                        aria-label={intl.formatMessage({id: 'admin.users.filterStatus', defaultMessage: 'Status'})}>
                        <option value='all'>{intl.formatMessage({id: 'admin.users.anyStatus', defaultMessage: 'Active and inactive'})}</option>
                        <option value='active'>{intl.formatMessage({id: 'admin.users.active', defaultMessage: 'Active'})}</option>
                        <option value='inactive'>{intl.formatMessage({id: 'admin.users.inactive', defaultMessage: 'Inactive'})}</option>
                    </select>
                </div>
                <ErrorNote error={error}/>
                {!users && !error && <Loading/>}
                {users && (
                    <>
                        <table className='admin-table'>
                            <thead>
                                <tr>
                                    <th scope='col'><FormattedMessage id='admin.users.colUser' defaultMessage='User'/></th>
                                    <th scope='col'><FormattedMessage id='admin.users.colEmail' defaultMessage='Email'/></th>
                                    <th scope='col'><FormattedMessage id='admin.users.colRole' defaultMessage='Role'/></th>
                                    <th scope='col'><FormattedMessage id='admin.users.colSignIn' defaultMessage='Sign-in method'/></th>
                                    <th scope='col'><FormattedMessage id='admin.users.colStatus' defaultMessage='Status'/></th>
                                </tr>
                            </thead>
                            <tbody>
                                {users.map((u) => (
                                    <tr key={u.id}>
                                        <td>
                                            <a className='admin-user' href={adminPaths.user(u.id)} onClick={(e) => {
                                                e.preventDefault();
                                                navigate(adminPaths.user(u.id));
                                            }}>
                                                <img className='admin-user__avatar' src={avatarUrl(u.id, u.last_picture_update)} alt='' width={28} height={28}/>
                                                <span>
                                                    <span className='admin-user__name'>@{u.username}</span>
                                                    {(u.first_name || u.last_name) && <span className='admin-user__full muted'> {`${u.first_name} ${u.last_name}`.trim()}</span>}
                                                </span>
                                            </a>
                                        </td>
                                        <td>{u.email}</td>
                                        <td><RoleName roles={u.roles}/>{u.is_bot && <> <span className='pill'><FormattedMessage id='admin.users.bot' defaultMessage='Bot'/></span></>}</td>
                                        <td><SignIn service={u.auth_service}/></td>
                                        <td>{u.delete_at
                                            ? <span className='admin-status admin-status--off'><FormattedMessage id='admin.users.inactive' defaultMessage='Inactive'/></span>
                                            : <span className='admin-status'><FormattedMessage id='admin.users.active' defaultMessage='Active'/></span>}</td>
                                    </tr>
                                ))}
                                {users.length === 0 && (
                                    <tr><td colSpan={5} className='admin-table__empty'><FormattedMessage id='admin.users.none' defaultMessage='No users match.'/></td></tr>
                                )}
                            </tbody>
                        </table>
                        {searching
                            ? <p className='muted admin-table__note'><FormattedMessage id='admin.users.searchNote' defaultMessage='{count, plural, one {# match} other {# matches}} (at most 100; refine the search to narrow it).' values={{count: users.length}}/></p>
                            : <Pager page={page} perPage={PER_PAGE} shown={users.length} total={total} onPage={setPage}/>}
                    </>
                )}
            </div>
        </div>
    );
}

function SignIn({service}: {service: string}) {
    switch (service) {
    case 'gitlab':
        return <>GitLab</>;
    case 'openid':
        return <>OpenID Connect</>;
    case 'saml':
        return <>SAML</>;
    case 'ldap':
        return <>AD/LDAP</>;
    default:
        return <FormattedMessage id='admin.signin.email' defaultMessage='Email'/>;
    }
}

type Pending = {kind: 'active' | 'password' | 'sessions' | 'mfa' | 'role'} | null;

export function UserDetail({userId, readOnly = false, admin = true}: {
    userId: string;
    /** Without sysconsole_write_user_management_users: the user is shown, not changed. */
    readOnly?: boolean;
    /** A system admin may also grant system admin and the sub-admin roles. */
    admin?: boolean;
}) {
    const intl = useIntl();
    const me = useStore((s) => s.me);
    const allTeams = useAllTeams();
    const [user, setUser] = useState<UserProfile | null>(null);
    const [teams, setTeams] = useState<Team[] | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [notice, setNotice] = useState('');
    const [pending, setPending] = useState<Pending>(null);
    const [addTeam, setAddTeam] = useState('');

    const load = useCallback(async () => {
        try {
            const [u, t] = await Promise.all([client.getUser(userId), client.getTeamsForUser(userId)]);
            setUser(u);
            setTeams(t.sort((a, b) => a.display_name.localeCompare(b.display_name)));
        } catch (e) {
            setError(e);
        }
    }, [userId]);

    useEffect(() => {
        void load();
    }, [load]);

    const act = async (fn: () => Promise<unknown>, done: string) => {
        setError(null);
        setNotice('');
        try {
            await fn();
            await load();
            setNotice(done);
        } catch (e) {
            setError(e);
        }
    };

    if (!user) {
        return (
            <div className='admin-page'>
                <PageHeader title={<FormattedMessage id='admin.user.title' defaultMessage='User'/>}/>
                <div className='admin-page__body'>{error ? <ErrorNote error={error}/> : <Loading/>}</div>
            </div>
        );
    }
    const role = mainRole(user.roles);
    const self = me?.id === user.id;
    const local = !user.auth_service;
    return (
        <div className='admin-page'>
            <PageHeader title={<>
                <a className='admin-page__crumb' href={adminPaths.users()} onClick={(e) => {
                    e.preventDefault();
                    navigate(adminPaths.users());
                }}><FormattedMessage id='admin.page.users' defaultMessage='Users'/></a>
                {' › '}@{user.username}
            </>}/>
            <div className='admin-page__body'>
                <ErrorNote error={error}/>
                {notice && <p className='admin-notice' role='status'>{notice}</p>}
                <section className='admin-card'>
                    <div className='admin-card__user'>
                        <img className='admin-user__avatar admin-user__avatar--big' src={avatarUrl(user.id, user.last_picture_update)} alt='' width={64} height={64}/>
                        <div>
                            <h2 className='admin-card__title'>{`${user.first_name} ${user.last_name}`.trim() || `@${user.username}`}</h2>
                            <dl className='admin-facts'>
                                <Fact label={<FormattedMessage id='admin.user.username' defaultMessage='Username'/>}>@{user.username}</Fact>
                                <Fact label={<FormattedMessage id='admin.user.email' defaultMessage='Email'/>}>{user.email}</Fact>
                                <Fact label={<FormattedMessage id='admin.user.id' defaultMessage='User ID'/>}><code>{user.id}</code></Fact>
                                <Fact label={<FormattedMessage id='admin.user.signIn' defaultMessage='Sign-in method'/>}><SignIn service={user.auth_service}/></Fact>
                                <Fact label={<FormattedMessage id='admin.user.role' defaultMessage='Role'/>}><RoleName roles={user.roles}/></Fact>
                                <Fact label={<FormattedMessage id='admin.user.mfa' defaultMessage='MFA'/>}>
                                    {user.mfa_active ? <FormattedMessage id='admin.user.mfaOn' defaultMessage='On'/> : <FormattedMessage id='admin.user.mfaOff' defaultMessage='Off'/>}
                                </Fact>
                                <Fact label={<FormattedMessage id='admin.user.created' defaultMessage='Created'/>}>
                                    <FormattedDate value={user.create_at} dateStyle='medium'/>
                                </Fact>
                                <Fact label={<FormattedMessage id='admin.user.status' defaultMessage='Status'/>}>
                                    {user.delete_at
                                        ? <span className='admin-status admin-status--off'><FormattedMessage id='admin.users.inactive' defaultMessage='Inactive'/></span>
                                        : <span className='admin-status'><FormattedMessage id='admin.users.active' defaultMessage='Active'/></span>}
                                </Fact>
                            </dl>
                        </div>
                    </div>
                    {readOnly && (
                        <p className='admin-readonly-note' role='note'>
                            <FormattedMessage id='admin.readOnly.user' defaultMessage='You can view this user, but your role does not let you change them.'/>
                        </p>
                    )}
                    {!readOnly && (
                        <div className='admin-card__actions'>
                            {user.delete_at
                                ? <button type='button' className='btn btn--secondary' onClick={() => void act(() => client.updateUserActive(user.id, true),
                                    intl.formatMessage({id: 'admin.user.activated', defaultMessage: 'The account is active again.'}))}>
                                    <FormattedMessage id='admin.user.activate' defaultMessage='Activate'/>
                                </button>
                                : <button type='button' className='btn btn--danger-ghost' disabled={self} onClick={() => setPending({kind: 'active'})}>
                                    <FormattedMessage id='admin.user.deactivate' defaultMessage='Deactivate'/>
                                </button>}
                            <button type='button' className='btn btn--ghost' disabled={self} onClick={() => setPending({kind: 'role'})}>
                                <FormattedMessage id='admin.user.manageRole' defaultMessage='Manage role'/>
                            </button>
                            {local && (
                                <button type='button' className='btn btn--ghost' onClick={() => setPending({kind: 'password'})}>
                                    <FormattedMessage id='admin.user.resetPassword' defaultMessage='Reset password'/>
                                </button>
                            )}
                            {user.mfa_active && (
                                <button type='button' className='btn btn--ghost' onClick={() => setPending({kind: 'mfa'})}>
                                    <FormattedMessage id='admin.user.resetMfa' defaultMessage='Remove MFA'/>
                                </button>
                            )}
                            <button type='button' className='btn btn--ghost' disabled={self} onClick={() => setPending({kind: 'sessions'})}>
                                <FormattedMessage id='admin.user.revokeSessions' defaultMessage='Revoke sessions'/>
                            </button>
                        </div>
                    )}
                </section>

                <section className='admin-card'>
                    <h2 className='admin-card__title'><FormattedMessage id='admin.user.teams' defaultMessage='Team memberships'/></h2>
                    {!teams ? <Loading/> : (
                        <ul className='admin-list'>
                            {teams.map((t) => (
                                <li key={t.id} className='admin-list__item'>
                                    <span>{t.display_name} <span className='muted'>/{t.name}</span></span>
                                    {!readOnly && <button type='button' className='btn btn--danger-ghost btn--small' onClick={() => void act(() => client.removeFromTeam(t.id, user.id),
                                        intl.formatMessage({id: 'admin.user.removedFromTeam', defaultMessage: 'Removed from {team}.'}, {team: t.display_name}))}>
                                        <FormattedMessage id='admin.user.removeFromTeam' defaultMessage='Remove'/>
                                    </button>}
                                </li>
                            ))}
                            {teams.length === 0 && <li className='admin-list__item muted'><FormattedMessage id='admin.user.noTeams' defaultMessage='Not in any team.'/></li>}
                        </ul>
                    )}
                    <div className='admin-inline-form' hidden={readOnly}>
                        <select className='input' value={addTeam} onChange={(e) => setAddTeam(e.target.value)}
                            aria-label={intl.formatMessage({id: 'admin.user.addTeamLabel', defaultMessage: 'Team to add the user to'})}>
                            <option value=''>{intl.formatMessage({id: 'admin.user.chooseTeam', defaultMessage: 'Choose a team…'})}</option>
                            {allTeams.filter((t) => !teams?.some((m) => m.id === t.id) && !t.delete_at).map((t) => (
                                <option key={t.id} value={t.id}>{t.display_name}</option>
                            ))}
                        </select>
                        <button type='button' className='btn btn--secondary' disabled={!addTeam} onClick={() => {
                            const team = allTeams.find((t) => t.id === addTeam);
                            setAddTeam('');
                            void act(() => client.addToTeam(addTeam, user.id),
                                intl.formatMessage({id: 'admin.user.addedToTeam', defaultMessage: 'Added to {team}.'}, {team: team?.display_name || ''}));
                        }}>
                            <FormattedMessage id='admin.user.addToTeam' defaultMessage='Add to team'/>
                        </button>
                    </div>
                </section>
            </div>
            {pending?.kind === 'active' && (
                <ConfirmDialog
                    title={<FormattedMessage id='admin.user.deactivateTitle' defaultMessage='Deactivate @{username}?' values={{username: user.username}}/>}
                    body={<FormattedMessage id='admin.user.deactivateBody' defaultMessage='They are signed out everywhere at once and cannot sign in until an admin activates the account again. Their messages stay.'/>}
                    action={<FormattedMessage id='admin.user.deactivate' defaultMessage='Deactivate'/>}
                    danger
                    onClose={() => setPending(null)}
                    onConfirm={() => act(() => client.updateUserActive(user.id, false),
                        intl.formatMessage({id: 'admin.user.deactivated', defaultMessage: 'The account is deactivated.'}))}
                />
            )}
            {pending?.kind === 'sessions' && (
                <ConfirmDialog
                    title={<FormattedMessage id='admin.user.revokeTitle' defaultMessage='Revoke all sessions of @{username}?' values={{username: user.username}}/>}
                    body={<FormattedMessage id='admin.user.revokeBody' defaultMessage='They are signed out on every device and must sign in again.'/>}
                    action={<FormattedMessage id='admin.user.revokeSessions' defaultMessage='Revoke sessions'/>}
                    danger
                    onClose={() => setPending(null)}
                    onConfirm={() => act(() => client.revokeAllSessionsForUser(user.id),
                        intl.formatMessage({id: 'admin.user.revoked', defaultMessage: 'Every session was revoked.'}))}
                />
            )}
            {pending?.kind === 'mfa' && (
                <ConfirmDialog
                    title={<FormattedMessage id='admin.user.mfaTitle' defaultMessage='Remove MFA from @{username}?' values={{username: user.username}}/>}
                    body={<FormattedMessage id='admin.user.mfaBody' defaultMessage='They sign in with their password alone until they set MFA up again.'/>}
                    action={<FormattedMessage id='admin.user.resetMfa' defaultMessage='Remove MFA'/>}
                    onClose={() => setPending(null)}
                    onConfirm={() => act(() => client.updateUserMfa(user.id, false, ''),
                        intl.formatMessage({id: 'admin.user.mfaRemoved', defaultMessage: 'MFA was removed.'}))}
                />
            )}
            {pending?.kind === 'password' && (
                <PasswordDialog onClose={() => setPending(null)} onSubmit={(pw) => act(() => client.updateUserPassword(user.id, '', pw),
                    intl.formatMessage({id: 'admin.user.passwordReset', defaultMessage: 'The password was changed.'}))}/>
            )}
            {pending?.kind === 'role' && (
                <RoleDialog current={role} admin={admin} onClose={() => setPending(null)} onSubmit={(next) => act(async () => {
                    if (next === 'system_guest') {
                        await client.demoteUserToGuest(user.id);
                    } else {
                        if (role === 'system_guest') {
                            await client.promoteGuestToUser(user.id);
                        }
                        await client.updateUserRoles(user.id, rolesFor(next));
                    }
                }, intl.formatMessage({id: 'admin.user.roleChanged', defaultMessage: 'The role was changed.'}))}/>
            )}
        </div>
    );
}

function Fact({label, children}: {label: ReactNode; children: ReactNode}) {
    return <><dt>{label}</dt><dd>{children}</dd></>;
}

export function ConfirmDialog({title, body, action, danger, onClose, onConfirm}: {
    title: ReactNode; body: ReactNode; action: ReactNode; danger?: boolean; onClose: () => void; onConfirm: () => Promise<unknown>;
}) {
    const [busy, setBusy] = useState(false);
    return (
        <Dialog title={title} onClose={onClose} footer={<>
            <button type='button' className='btn btn--secondary' onClick={onClose}><FormattedMessage id='admin.cancel' defaultMessage='Cancel'/></button>
            <button type='button' className={`btn ${danger ? 'btn--danger' : 'btn--primary'}`} disabled={busy} onClick={async () => {
                setBusy(true);
                await onConfirm();
                onClose();
            }}>{action}</button>
        </>}>
            <p>{body}</p>
        </Dialog>
    );
}

function PasswordDialog({onClose, onSubmit}: {onClose: () => void; onSubmit: (pw: string) => Promise<unknown>}) {
    const intl = useIntl();
    const [pw, setPw] = useState('');
    return (
        <Dialog title={<FormattedMessage id='admin.user.resetPassword' defaultMessage='Reset password'/>} onClose={onClose} footer={<>
            <button type='button' className='btn btn--secondary' onClick={onClose}><FormattedMessage id='admin.cancel' defaultMessage='Cancel'/></button>
            <button type='button' className='btn btn--primary' disabled={!pw} onClick={async () => {
                await onSubmit(pw);
                onClose();
            }}><FormattedMessage id='admin.user.setPassword' defaultMessage='Set password'/></button>
        </>}>
            <label className='field'>
                <span className='field__label'><FormattedMessage id='admin.user.newPassword' defaultMessage='New password'/></span>
                <input className='input' type='password' autoComplete='new-password' value={pw} autoFocus onChange={(e) => setPw(e.target.value)}
                    placeholder={intl.formatMessage({id: 'admin.user.newPasswordHint', defaultMessage: 'As the password rules require'})}/>
            </label>
        </Dialog>
    );
}

function RoleDialog({current, admin, onClose, onSubmit}: {current: Role; admin: boolean; onClose: () => void; onSubmit: (r: Role) => Promise<unknown>}) {
    const [role, setRole] = useState<Role>(current);
    // system admin and the System Console sub-admin roles: a system admin's to give (the server says so too)
    const choices = ([
        ['system_user', <FormattedMessage key='m' id='admin.role.member' defaultMessage='Member'/>, false],
        ['system_admin', <FormattedMessage key='a' id='admin.role.systemAdmin' defaultMessage='System Admin'/>, true],
        ['system_manager', <FormattedMessage key='sm' id='admin.role.systemManager' defaultMessage='System Manager'/>, true],
        ['system_user_manager', <FormattedMessage key='um' id='admin.role.userManager' defaultMessage='User Manager'/>, true],
        ['system_read_only_admin', <FormattedMessage key='ro' id='admin.role.readOnlyAdmin' defaultMessage='Read-only Admin'/>, true],
        ['system_guest', <FormattedMessage key='g' id='admin.role.guest' defaultMessage='Guest'/>, false],
    ] as const).filter(([value, , adminOnly]) => admin || !adminOnly || value === current);
    return (
        <Dialog title={<FormattedMessage id='admin.user.manageRole' defaultMessage='Manage role'/>} onClose={onClose} footer={<>
            <button type='button' className='btn btn--secondary' onClick={onClose}><FormattedMessage id='admin.cancel' defaultMessage='Cancel'/></button>
            <button type='button' className='btn btn--primary' disabled={role === current} onClick={async () => {
                await onSubmit(role);
                onClose();
            }}><FormattedMessage id='admin.save' defaultMessage='Save'/></button>
        </>}>
            <fieldset className='radio-group'>
                {choices.map(([value, label]) => (
                    <label key={value} className='radio'>
                        <input type='radio' name='role' checked={role === value} onChange={() => setRole(value)}/>
                        <span>{label}</span>
                    </label>
                ))}
            </fieldset>
        </Dialog>
    );
}
