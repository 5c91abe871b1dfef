import {useEffect, useId, useRef, useState, type FormEvent, type ReactNode} from 'react';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {FormattedMessage, useIntl} from 'react-intl';

import {addUsers, openDirect, openGroup, refreshChannel, removeChannelLocally} from '../actions';
import {client, errorText} from '../client';
import {channelNameFrom, displayName} from '../lib/channels';
import {paths} from '../lib/routes';
import {navigate} from '../router';
import {getState, update, useStore, type Modal as ModalState} from '../store';
import {Avatar} from './Avatar';
import {CategoryNameModal} from './CategoryModal';
import {Icon} from './Icon';
import {ChannelNotifications, NotificationSettings} from './Notifications';
import {AccountSettings} from './AccountSettings';
import {CustomStatusModal} from './CustomStatus';
import {SecuritySettings} from './Security';
import {channelPath} from './Sidebar';
import {Switcher} from './Switcher';

export const close = () => update(() => ({modal: null}));

export function Modal({title, children, footer, onSubmit, wide = false}: {
    title: string; children: ReactNode; footer?: ReactNode; onSubmit?: (e: FormEvent) => void; wide?: boolean;
}) {
    const intl = useIntl();
    const id = useId();
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
        const previous = document.activeElement as HTMLElement | null;
        const first = ref.current?.querySelector<HTMLElement>('[autofocus], input, textarea, select, button:not(.modal__close)');
        first?.focus();
        return () => previous?.focus?.();
    }, []);
    const onKey = (e: React.KeyboardEvent) => {
        if (e.key === 'Escape') {
            e.stopPropagation();
            close();
        }
        if (e.key === 'Tab' && ref.current) {
            const focusables = [...ref.current.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input, textarea, select')];
            if (!focusables.length) {
                return;
            }
            const first = focusables[0];
            const last = focusables[focusables.length - 1];
            if (e.shiftKey && document.activeElement === first) {
                e.preventDefault();
                last.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
                e.preventDefault();
                first.focus();
            }
        }
    };
    const Body = onSubmit ? 'form' : 'div';
    return (
        <div className='modal-backdrop' onMouseDown={(e) => {
            if (e.target === e.currentTarget) {
                close();
            }
        }}>
            <div ref={ref} className={`modal${wide ? ' modal--wide' : ''}`} role='dialog' aria-modal='true' aria-labelledby={id} onKeyDown={onKey}>
                <Body className='modal__form' onSubmit={onSubmit}>
                    <header className='modal__header'>
                        <h2 id={id}>{title}</h2>
                        <button type='button' className='icon-btn modal__close' aria-label={intl.formatMessage({id: 'common.close', defaultMessage: 'Close'})} onClick={close}><Icon name='close'/></button>
                    </header>
                    <div className='modal__body'>{children}</div>
                    {footer && <footer className='modal__footer'>{footer}</footer>}
                </Body>
            </div>
        </div>
    );
}

function CreateChannel({team}: {team: Team}) {
    const intl = useIntl();
    const [displayName, setDisplayName] = useState('');
    const [purpose, setPurpose] = useState('');
    const [type, setType] = useState<'O' | 'P'>('O');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const name = channelNameFrom(displayName) || (displayName.trim() ? `c-${Date.now().toString(36)}` : '');
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        try {
            const ch = await client.createChannel({team_id: team.id, name, display_name: displayName.trim(), type, purpose: purpose.trim()});
            await refreshChannel(ch.id);
            close();
            navigate(paths.channel(team.name, ch.name));
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'channel.create.failed', defaultMessage: 'Could not create the channel.'})));
            setBusy(false);
        }
    };
    return (
        <Modal title={intl.formatMessage({id: 'menu.create_channel', defaultMessage: 'Create a channel'})} onSubmit={submit} footer={<>
            <button type='button' className='btn btn--secondary' onClick={close}><FormattedMessage id='common.cancel' defaultMessage='Cancel'/></button>
            <button type='submit' className='btn btn--primary' disabled={busy || !displayName.trim()}>
                <FormattedMessage id='channel.create.submit' defaultMessage='Create channel'/>
            </button>
        </>}>
            <label className='field'>
                <span className='field__label'><FormattedMessage id='channel.name' defaultMessage='Name'/></span>
                <input className='input' value={displayName} maxLength={64} onChange={(e) => setDisplayName(e.target.value)} required autoFocus/>
                {name && <span className='field__hint'>
                    <FormattedMessage id='channel.create.url' defaultMessage='URL: {url}' values={{url: `${window.location.host}/${team.name}/channels/${name}`}}/>
                </span>}
            </label>
            <fieldset className='radio-group'>
                <legend className='field__label'><FormattedMessage id='channel.create.visibility' defaultMessage='Visibility'/></legend>
                <label className='radio'><input type='radio' name='type' checked={type === 'O'} onChange={() => setType('O')}/>
                    <span><Icon name='hash' size={14}/> <FormattedMessage id='channel.create.public' defaultMessage='Public — anyone in the team can find and join it'/></span></label>
                <label className='radio'><input type='radio' name='type' checked={type === 'P'} onChange={() => setType('P')}/>
                    <span><Icon name='lock' size={14}/> <FormattedMessage id='channel.create.private' defaultMessage='Private — only invited members'/></span></label>
            </fieldset>
            <label className='field'>
                <span className='field__label'>
                    <FormattedMessage id='channel.purpose' defaultMessage='Purpose'/> <span className='muted'><FormattedMessage id='common.optional' defaultMessage='(optional)'/></span>
                </span>
                <input className='input' value={purpose} maxLength={250} onChange={(e) => setPurpose(e.target.value)}/>
            </label>
            {error && <p className='form-error' role='alert'>{error}</p>}
        </Modal>
    );
}

function BrowseChannels({team}: {team: Team}) {
    const intl = useIntl();
    const [channels, setChannels] = useState<Channel[] | null>(null);
    const [filter, setFilter] = useState('');
    const [error, setError] = useState('');
    const members = useStore((s) => s.myMembers);
    const me = useStore((s) => s.me!);
    useEffect(() => {
        client.getChannels(team.id, 0, 200).then((list) => setChannels(list as Channel[])).catch((e) => setError(errorText(e)));
    }, [team.id]);
    const q = filter.toLowerCase();
    const list = (channels ?? []).filter((c) => !q || c.display_name.toLowerCase().includes(q) || c.name.includes(q))
        .sort((a, b) => a.display_name.localeCompare(b.display_name, intl.locale));
    const searchLabel = intl.formatMessage({id: 'browse.search', defaultMessage: 'Search channels'});
    const join = async (c: Channel) => {
        try {
            if (!members[c.id]) {
                await client.addToChannel(me.id, c.id);
                await refreshChannel(c.id);
            }
            close();
            navigate(paths.channel(team.name, c.name));
        } catch (e) {
            setError(errorText(e, intl.formatMessage({id: 'channel.join_failed', defaultMessage: 'Could not join the channel.'})));
        }
    };
    return (
        <Modal title={intl.formatMessage({id: 'menu.browse_channels', defaultMessage: 'Browse channels'})} wide>
            <input className='input' placeholder={searchLabel} aria-label={searchLabel} value={filter}
                onChange={(e) => setFilter(e.target.value)} autoFocus/>
            {error && <p className='form-error' role='alert'>{error}</p>}
            <ul className='browse-list'>
                {channels === null && <li><div className='spinner' aria-label={intl.formatMessage({id: 'common.loading', defaultMessage: 'Loading'})}/></li>}
                {channels !== null && !list.length && <li className='muted'><FormattedMessage id='browse.none' defaultMessage='No channels match.'/></li>}
                {list.map((c) => (
                    <li key={c.id} className='browse-list__item'>
                        <div className='browse-list__info'>
                            <span className='browse-list__name'><Icon name='hash' size={14}/> {c.display_name}</span>
                            {c.purpose && <span className='browse-list__purpose'>{c.purpose}</span>}
                        </div>
                        <button className={`btn btn--small ${members[c.id] ? 'btn--secondary' : 'btn--primary'}`} onClick={() => void join(c)}>
                            {members[c.id] ? <FormattedMessage id='browse.view' defaultMessage='View'/> : <FormattedMessage id='select_team.join' defaultMessage='Join'/>}
                        </button>
                    </li>
                ))}
            </ul>
        </Modal>
    );
}

function NewDirect({team}: {team: Team}) {
    const intl = useIntl();
    const [term, setTerm] = useState('');
    const [results, setResults] = useState<UserProfile[]>([]);
    const [picked, setPicked] = useState<UserProfile[]>([]);
    const [error, setError] = useState('');
    const me = useStore((s) => s.me!);
    useEffect(() => {
        const t = setTimeout(() => {
            const req = term.trim()
                ? client.autocompleteUsers(term.trim(), team.id, '', {limit: 20}).then((r) => r.users)
                : client.getProfilesInTeam(team.id, 0, 50);
            req.then((users) => {
                addUsers(users);
                setResults(users.filter((u) => !u.delete_at));
            }).catch(() => setResults([]));
        }, 150);
        return () => clearTimeout(t);
    }, [term, team.id]);
    const go = async () => {
        try {
            const others = picked.filter((u) => u.id !== me.id);
            let ch: Channel;
            if (others.length <= 1) {
                const target = others[0] ?? me;
                ch = await openDirect(target.id);
                close();
                navigate(paths.dm(team.name, target.username));
                return;
            }
            ch = await openGroup(others.map((u) => u.id));
            close();
            navigate(channelPath(team, ch));
        } catch (e) {
            setError(errorText(e, intl.formatMessage({id: 'dm.open_failed', defaultMessage: 'Could not open the conversation.'})));
        }
    };
    const peopleLabel = intl.formatMessage({id: 'dm.search', defaultMessage: 'Search people'});
    const toggle = (u: UserProfile) => setPicked((p) => (p.some((x) => x.id === u.id) ? p.filter((x) => x.id !== u.id) : p.length >= 7 ? p : [...p, u]));
    return (
        <Modal title={intl.formatMessage({id: 'sidebar.direct', defaultMessage: 'Direct messages'})} wide footer={<>
            <span className='muted'>{picked.length > 1 ? <FormattedMessage id='dm.group_hint' defaultMessage='Starts a group message'/>
                : <FormattedMessage id='dm.pick_hint' defaultMessage='Pick one person, or up to {max} for a group' values={{max: 7}}/>}</span>
            <button className='btn btn--primary' disabled={!picked.length} onClick={() => void go()}><FormattedMessage id='dm.go' defaultMessage='Go'/></button>
        </>}>
            <div className='picked'>
                {picked.map((u) => (
                    <button key={u.id} className='chip' onClick={() => toggle(u)} aria-label={intl.formatMessage({id: 'files.remove_name', defaultMessage: 'Remove {name}'}, {name: u.username})}>
                        <Avatar userId={u.id} size={18}/> {u.username} <Icon name='close' size={12}/>
                    </button>
                ))}
                <input className='input picked__input' placeholder={peopleLabel} aria-label={peopleLabel} value={term}
                    onChange={(e) => setTerm(e.target.value)} autoFocus/>
            </div>
            {error && <p className='form-error' role='alert'>{error}</p>}
            <ul className='browse-list' aria-label={intl.formatMessage({id: 'dm.people', defaultMessage: 'People'})}>
                {results.map((u) => {
                    const on = picked.some((x) => x.id === u.id);
                    return (
                        <li key={u.id}>
                            <button className={`person${on ? ' is-on' : ''}`} aria-pressed={on} onClick={() => toggle(u)}>
                                <Avatar userId={u.id} size={32}/>
                                <span className='person__names'>
                                    <span className='person__name'>{u.id === me.id ? intl.formatMessage({id: 'user.you_suffix', defaultMessage: '{name} (you)'}, {name: displayName(u, 'full_name')}) : displayName(u, 'full_name')}</span>
                                    <span className='person__username'>@{u.username}</span>
                                </span>
                                {on && <Icon name='check'/>}
                            </button>
                        </li>
                    );
                })}
            </ul>
        </Modal>
    );
}

function ChannelSettings({team, channelId}: {team: Team; channelId: string}) {
    const intl = useIntl();
    const channel = useStore((s) => s.channels[channelId]);
    const me = useStore((s) => s.me!);
    const [displayName, setDisplayName] = useState(channel?.display_name ?? '');
    const [purpose, setPurpose] = useState(channel?.purpose ?? '');
    const [header, setHeader] = useState(channel?.header ?? '');
    const [error, setError] = useState('');
    if (!channel) {
        return null;
    }
    const save = async (e: FormEvent) => {
        e.preventDefault();
        try {
            const ch = await client.patchChannel(channel.id, {display_name: displayName.trim(), purpose, header});
            update((s) => ({channels: {...s.channels, [ch.id]: ch as Channel}}));
            close();
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'channel.save_failed', defaultMessage: 'Could not save the channel.'})));
        }
    };
    const archive = () => update(() => ({modal: {
        kind: 'confirm', danger: true,
        title: intl.formatMessage({id: 'channel.archive.title', defaultMessage: 'Archive {name}?'}, {name: channel.display_name}),
        action: intl.formatMessage({id: 'channel.archive', defaultMessage: 'Archive'}),
        body: intl.formatMessage({id: 'channel.archive.body', defaultMessage: 'Archived channels are read-only and disappear from the sidebar. An admin can restore them.'}),
        onConfirm: async () => {
            await client.deleteChannel(channel.id);
            removeChannelLocally(channel.id);
            navigate(paths.channel(team.name, 'town-square'));
        },
    }}));
    const leave = async () => {
        try {
            await client.removeFromChannel(me.id, channel.id);
            removeChannelLocally(channel.id);
            close();
            navigate(paths.channel(team.name, 'town-square'));
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'channel.leave_failed', defaultMessage: 'Could not leave the channel.'})));
        }
    };
    const isDefault = channel.name === 'town-square';
    return (
        <Modal title={intl.formatMessage({id: 'channel_header.settings', defaultMessage: 'Channel settings'})} onSubmit={save} footer={<>
            {!isDefault && <button type='button' className='btn btn--ghost' onClick={() => void leave()}>
                <FormattedMessage id='channel.leave' defaultMessage='Leave channel'/>
            </button>}
            {!isDefault && <button type='button' className='btn btn--danger-ghost' onClick={archive}>
                <Icon name='archive' size={14}/> <FormattedMessage id='channel.archive' defaultMessage='Archive'/>
            </button>}
            <span className='spacer'/>
            <button type='button' className='btn btn--secondary' onClick={close}><FormattedMessage id='common.cancel' defaultMessage='Cancel'/></button>
            <button type='submit' className='btn btn--primary'><FormattedMessage id='common.save' defaultMessage='Save'/></button>
        </>}>
            <label className='field'>
                <span className='field__label'><FormattedMessage id='channel.name' defaultMessage='Name'/></span>
                <input className='input' value={displayName} maxLength={64} onChange={(e) => setDisplayName(e.target.value)} required/>
            </label>
            <label className='field'>
                <span className='field__label'><FormattedMessage id='channel.purpose' defaultMessage='Purpose'/></span>
                <textarea className='input' rows={2} value={purpose} maxLength={250} onChange={(e) => setPurpose(e.target.value)}/>
            </label>
            <label className='field'>
                <span className='field__label'>
                    <FormattedMessage id='channel.header' defaultMessage='Header'/> <span className='muted'>
                        <FormattedMessage id='channel.header_hint' defaultMessage='(Markdown, shown under the channel name)'/>
                    </span>
                </span>
                <textarea className='input' rows={2} value={header} maxLength={1024} onChange={(e) => setHeader(e.target.value)}/>
            </label>
            {error && <p className='form-error' role='alert'>{error}</p>}
        </Modal>
    );
}

function Confirm({modal}: {modal: Extract<ModalState, {kind: 'confirm'}>}) {
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    return (
        <Modal title={modal.title} footer={<>
            <button type='button' className='btn btn--secondary' onClick={close}><FormattedMessage id='common.cancel' defaultMessage='Cancel'/></button>
            <button type='button' className={`btn ${modal.danger ? 'btn--danger' : 'btn--primary'}`} disabled={busy} autoFocus onClick={async () => {
                setBusy(true);
                try {
                    await modal.onConfirm();
                    if (getState().modal === modal) {
                        close();
                    }
                } catch (e) {
                    setError(errorText(e));
                    setBusy(false);
                }
            }}>{modal.action}</button>
        </>}>
            <p>{modal.body}</p>
            {error && <p className='form-error' role='alert'>{error}</p>}
        </Modal>
    );
}

export function Modals({team}: {team: Team; channel: Channel | null}) {
    const modal = useStore((s) => s.modal);
    if (!modal) {
        return null;
    }
    switch (modal.kind) {
    case 'create_channel':
        return <CreateChannel team={team}/>;
    case 'browse_channels':
        return <BrowseChannels team={team}/>;
    case 'switcher':
        return <Switcher team={team}/>;
    case 'new_dm':
        return <NewDirect team={team}/>;
    case 'channel_settings':
        return <ChannelSettings team={team} channelId={modal.channelId}/>;
    case 'account':
        return <AccountSettings/>;
    case 'custom_status':
        return <CustomStatusModal/>;
    case 'notifications':
        return <NotificationSettings/>;
    case 'security':
        return <SecuritySettings/>;
    case 'channel_notifications':
        return <ChannelNotifications channelId={modal.channelId}/>;
    case 'confirm':
        return <Confirm modal={modal}/>;
    case 'category_name':
        return <CategoryNameModal teamId={modal.teamId} categoryId={modal.categoryId} channelId={modal.channelId}/>;
    }
    return null;
}
