import {useId, useMemo, useState} from 'react';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {channelTitle, dmPartnerId, unreadOf} from '../lib/channels';
import {switcherMatches, type SwitchItem} from '../lib/switcher';
import {navigate} from '../router';
import {CRT, getState, update} from '../store';
import {Avatar} from './Avatar';
import {Icon} from './Icon';
import {close, Modal} from './Modals';
import {channelPath} from './Sidebar';

/** Ctrl/Cmd+K: jump to any of my channels or conversations by typing part of its name. */
export function Switcher({team}: {team: Team}) {
    const intl = useIntl();
    const [query, setQuery] = useState('');
    const [active, setActive] = useState(0);
    const listId = useId();
    const items = useMemo(() => {
        const s = getState();
        const me = s.me!;
        const crt = CRT(s);
        return Object.values(s.channels)
            .filter((c) => s.myMembers[c.id] && !c.delete_at && (c.team_id === team.id || c.team_id === ''))
            .map((c): SwitchItem => ({
                id: c.id,
                title: channelTitle(c, me.id, s.users),
                name: c.type === 'D' ? s.users[dmPartnerId(c, me.id)]?.username ?? c.name : c.name,
                kind: c.type as SwitchItem['kind'],
                unread: unreadOf(c, s.myMembers[c.id], crt).unread,
                lastPostAt: c.last_post_at,
            }));
    }, [team.id]);
    const shown = switcherMatches(items, query);
    const act = Math.min(active, Math.max(shown.length - 1, 0));
    const open = (it: SwitchItem | undefined) => {
        const ch = it && getState().channels[it.id];
        if (!ch) {
            return;
        }
        close();
        update(() => ({sidebarOpen: false}));
        navigate(channelPath(team, ch));
    };
    const me = getState().me!;
    return (
        <Modal title={intl.formatMessage({id: 'switcher.title', defaultMessage: 'Find channels'})}>
            <input
                className='input'
                role='combobox'
                aria-expanded={shown.length > 0}
                aria-controls={listId}
                aria-activedescendant={shown.length ? `${listId}-${act}` : undefined}
                aria-label={intl.formatMessage({id: 'switcher.input', defaultMessage: 'Channel or person'})}
                placeholder={intl.formatMessage({id: 'switcher.placeholder', defaultMessage: 'Type a channel or a person\'s name'})}
                value={query}
                autoFocus
                onChange={(e) => {
                    setQuery(e.target.value);
                    setActive(0);
                }}
                onKeyDown={(e) => {
                    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                        e.preventDefault();
                        const d = e.key === 'ArrowDown' ? 1 : -1;
                        setActive((act + d + shown.length) % Math.max(shown.length, 1));
                    } else if (e.key === 'Enter') {
                        e.preventDefault();
                        open(shown[act]);
                    }
                }}
            />
            <ul className='switcher' id={listId} role='listbox' aria-label={intl.formatMessage({id: 'switcher.results', defaultMessage: 'Matching channels'})}>
                {shown.map((it, i) => (
                    <li key={it.id} id={`${listId}-${i}`} role='option' aria-selected={i === act}
                        className={`switcher__item${i === act ? ' is-active' : ''}${it.unread ? ' is-unread' : ''}`}
                        onMouseEnter={() => setActive(i)}
                        onMouseDown={(e) => {
                            e.preventDefault();
                            open(it);
                        }}>
                        {it.kind === 'D' ? <Avatar userId={dmPartnerId(getState().channels[it.id], me.id)} size={20}/>
                            : <Icon name={it.kind === 'P' ? 'lock' : it.kind === 'G' ? 'users' : 'hash'} size={16}/>}
                        <span className='switcher__title'>{it.title}</span>
                        <span className='switcher__name'>{it.kind === 'D' ? `@${it.name}` : it.kind === 'G' ? '' : `~${it.name}`}</span>
                    </li>
                ))}
                {!shown.length && <li className='muted switcher__empty' role='presentation'><FormattedMessage id='switcher.none' defaultMessage='Nothing matches.'/></li>}
            </ul>
            <p className='muted switcher__hint'>
                <FormattedMessage id='switcher.hint' defaultMessage='↑ ↓ to move · Enter to open · Esc to close'/>
            </p>
        </Modal>
    );
}
