// The sidebar's channel list on the categories API: the user's categories in their order, each
// collapsible and sorted as it says, channels moved between them by menu or drag and drop
// (native HTML5), categories reordered by dragging their headers, and an unread filter. Everything the
// mouse does by dragging, the keyboard does too: "Move to …", "Move up/down" and "Move category up/down"
// in the menus, or Alt+Shift+↑/↓ on a focused channel or category header.
import {useEffect, useMemo, useState} from 'react';
import type {ChannelCategory} from '@mattermost/types/channel_categories';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {errorText} from '../client';
import {canHold, categorized, effectiveSorting, type TeamCategories} from '../lib/categories';
import {channelTitle, dmPartnerId, favoriteIds, sidebarSections, unreadOf} from '../lib/channels';
import {paths} from '../lib/routes';
import {navigate} from '../router';
import {
    deleteCategory, loadCategories, moveChannelTo, reorderCategories, setCategoryMuted, setCollapsed,
    setFavoriteCategory, setSorting,
} from '../sidebar_categories';
import {CRT, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {StatusEmoji} from './CustomStatus';
import {Icon} from './Icon';
import {Menu, type MenuItem} from './Menu';

export function channelPath(team: Team, c: Channel): string {
    return c.type === 'D' || c.type === 'G' ? paths.gm(team.name, c.name) : paths.channel(team.name, c.name);
}

// What is being dragged (dataTransfer is unreadable during dragover, so the sidebar keeps it here).
type Drag = {kind: 'channel'; channel: Channel} | {kind: 'category'; id: string} | null;
let dragging: Drag = null;
const MIME = 'application/x-chinwag-sidebar';

const toast = (e: unknown) => update(() => ({toast: errorText(e)}));

function useUnreadFilter(): [boolean, (on: boolean) => void] {
    const [on, setOn] = useState(() => {
        try {
            return localStorage.getItem('chinwag:unread_filter') === '1';
        } catch {
            return false;
        }
    });
    return [on, (v: boolean) => {
        setOn(v);
        try {
            localStorage.setItem('chinwag:unread_filter', v ? '1' : '0');
        } catch {
            // private mode: the filter lasts for this page only
        }
    }];
}

function ChannelItem({team, channel, active, category, cats, shown, dropBefore, setDropBefore}: {
    team: Team; channel: Channel; active: boolean; category: ChannelCategory | null; cats: TeamCategories | undefined;
    shown: string[]; dropBefore: string; setDropBefore: (id: string) => void;
}) {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const member = useStore((s) => s.myMembers[channel.id]);
    const crt = useStore(CRT);
    const users = useStore((s) => s.users);
    const status = useStore((s) => (channel.type === 'D' ? s.statuses[dmPartnerId(channel, me.id)] : undefined));
    const {unread, mentions, muted} = unreadOf(channel, member, crt);
    const title = channelTitle(channel, me.id, users);
    const icon = (() => {
        switch (channel.type) {
        case 'O':
            return <Icon name='hash'/>;
        case 'P':
            return <Icon name='lock'/>;
        case 'D':
            return <Avatar userId={dmPartnerId(channel, me.id)} size={20} status={status}/>;
        default:
            return <span className='gm-count' aria-hidden='true'>{Math.max(2, channel.display_name.split(',').length - 1)}</span>;
        }
    })();
    const isFavorite = category?.type === 'favorites';
    /** Moves the channel one place up (-1) or down (1) in its category; the order becomes manual. */
    const step = (by: -1 | 1) => {
        const at = shown.indexOf(channel.id);
        if (!cats || !category || at < 0 || at + by < 0 || at + by >= shown.length) {
            return;
        }
        const before = by < 0 ? shown[at - 1] : shown[at + 2] ?? '';
        void moveChannelTo(team.id, channel, category.id, before, shown).catch(toast);
        refocus(`nav.sidebar a[data-channel="${CSS.escape(channel.name)}"]`);
    };
    const items: MenuItem[] = [];
    if (cats && category) {
        items.push({
            label: isFavorite ? intl.formatMessage({id: 'sidebar.channel.unfavorite', defaultMessage: 'Remove from Favorites'})
                : intl.formatMessage({id: 'sidebar.channel.favorite', defaultMessage: 'Add to Favorites'}),
            onSelect: () => void setFavoriteCategory(team.id, channel, !isFavorite).catch(toast),
        });
        for (const id of cats.order) {
            const c = cats.byId[id];
            if (c && c.id !== category.id && c.type !== 'favorites' && canHold(c, channel)) {
                items.push({
                    label: intl.formatMessage({id: 'sidebar.channel.move_to', defaultMessage: 'Move to {category}'}, {category: categoryName(intl, c)}),
                    onSelect: () => void moveChannelTo(team.id, channel, c.id).catch(toast),
                });
            }
        }
        items.push({
            label: intl.formatMessage({id: 'sidebar.channel.move_new', defaultMessage: 'Move to a new category…'}),
            onSelect: () => update(() => ({modal: {kind: 'category_name', teamId: team.id, channelId: channel.id}})),
        });
        // reordering without a mouse (dragging does the same): these items, or Alt+Shift+↑/↓ on the channel
        if (shown.indexOf(channel.id) > 0) {
            items.push({label: intl.formatMessage({id: 'sidebar.channel.move_up', defaultMessage: 'Move up'}), onSelect: () => step(-1)});
        }
        if (shown.indexOf(channel.id) >= 0 && shown.indexOf(channel.id) < shown.length - 1) {
            items.push({label: intl.formatMessage({id: 'sidebar.channel.move_down', defaultMessage: 'Move down'}), onSelect: () => step(1)});
        }
    }
    return (
        <li
            className={`sidebar__row${dropBefore === channel.id ? ' is-drop-before' : ''}`}
            draggable={Boolean(cats)}
            data-channel-row={channel.name}
            onDragStart={(e) => {
                dragging = {kind: 'channel', channel};
                e.dataTransfer.effectAllowed = 'move';
                e.dataTransfer.setData(MIME, channel.id);
            }}
            onDragEnd={() => {
                dragging = null;
                setDropBefore('');
            }}
            onDragOver={(e) => {
                if (dragging?.kind === 'channel' && category && canHold(category, dragging.channel)) {
                    e.preventDefault();
                    e.stopPropagation();
                    setDropBefore(channel.id);
                }
            }}
            onDrop={(e) => {
                const d = dragging;
                if (d?.kind !== 'channel' || !category) {
                    return;
                }
                e.preventDefault();
                e.stopPropagation();
                dragging = null;
                setDropBefore('');
                if (d.channel.id !== channel.id) {
                    void moveChannelTo(team.id, d.channel, category.id, channel.id, shown).catch(toast);
                }
            }}
        >
            <a
                href={channelPath(team, channel)}
                className={`sidebar__item${active ? ' is-active' : ''}${unread || mentions ? ' is-unread' : ''}${muted || category?.muted ? ' is-muted' : ''}`}
                aria-current={active ? 'page' : undefined}
                data-channel={channel.name}
                draggable={false}
                aria-keyshortcuts={cats && category ? 'Alt+Shift+ArrowUp Alt+Shift+ArrowDown' : undefined}
                onKeyDown={(e) => {
                    const by = moveKey(e);
                    if (by && cats && category) {
                        e.preventDefault();
                        e.stopPropagation();
                        step(by);
                    }
                }}
                onClick={(e) => {
                    e.preventDefault();
                    navigate(channelPath(team, channel));
                }}
            >
                <span className='sidebar__icon'>{icon}</span>
                <span className='sidebar__name'>{title}</span>
                {channel.type === 'D' && <StatusEmoji userId={dmPartnerId(channel, me.id)}/>}
                {mentions > 0 && !active && (
                    <span className='badge' aria-label={intl.formatMessage({id: 'sidebar.mentions', defaultMessage: '{count, plural, one {# mention} other {# mentions}}'}, {count: mentions})}>{mentions}</span>
                )}
                {unread && !mentions && !active && <span className='sr-only'><FormattedMessage id='sidebar.unread' defaultMessage='(unread)'/></span>}
            </a>
            {items.length > 0 && (
                <span className='sidebar__row-menu'>
                    <Menu
                        label={intl.formatMessage({id: 'sidebar.channel.options', defaultMessage: 'Options for {channel}'}, {channel: title})}
                        button={<Icon name='dots' size={16}/>}
                        buttonClass='icon-btn icon-btn--sidebar'
                        align='right'
                        items={items}
                    />
                </span>
            )}
        </li>
    );
}

/** Alt+Shift+↑ / Alt+Shift+↓ (the keyboard's way to move a channel or category): -1, 1, or 0 for other keys. */
function moveKey(e: React.KeyboardEvent): -1 | 0 | 1 {
    if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) {
        return 0;
    }
    return e.key === 'ArrowUp' ? -1 : e.key === 'ArrowDown' ? 1 : 0;
}

/** Keeps the keyboard focus on what was moved: React re-inserts the moved element, which loses focus. */
function refocus(selector: string): void {
    setTimeout(() => document.querySelector<HTMLElement>(selector)?.focus(), 0);
}

function categoryName(intl: ReturnType<typeof useIntl>, c: ChannelCategory): string {
    switch (c.type) {
    case 'favorites':
        return intl.formatMessage({id: 'sidebar.favorites', defaultMessage: 'Favorites'});
    case 'channels':
        return intl.formatMessage({id: 'sidebar.channels', defaultMessage: 'Channels'});
    case 'direct_messages':
        return intl.formatMessage({id: 'sidebar.direct', defaultMessage: 'Direct messages'});
    }
    return c.display_name;
}

function CategorySection({team, category, channels, current, cats, filtering, addMenu, dropCategory, setDropCategory}: {
    team: Team; category: ChannelCategory; channels: Channel[]; current: string; cats: TeamCategories | undefined;
    filtering: boolean; addMenu?: React.ReactNode; dropCategory: string; setDropCategory: (id: string) => void;
}) {
    const intl = useIntl();
    const [dropBefore, setDropBefore] = useState('');
    const [dropHere, setDropHere] = useState(false);
    const local = !cats; // categories not loaded: the built-in sections, without saving
    const [localCollapsed, setLocalCollapsed] = useState(false);
    const collapsed = filtering ? false : local ? localCollapsed : category.collapsed;
    const name = categoryName(intl, category);
    const sorting = effectiveSorting(category);
    const shown = channels.map((c) => c.id);
    const members = useStore((s) => s.myMembers);
    const crt = useStore(CRT);
    // A collapsed category still shows the channel being looked at and unread ones, as Mattermost's does.
    const visible = collapsed ? channels.filter((c) => {
        const u = unreadOf(c, members[c.id], crt);
        return c.id === current || u.unread || u.mentions > 0;
    }) : channels;
    const custom = category.type === 'custom';
    const menu: MenuItem[] = local ? [] : [
        ...(custom ? [
            {label: intl.formatMessage({id: 'sidebar.category.rename', defaultMessage: 'Rename category'}),
                onSelect: () => update(() => ({modal: {kind: 'category_name', teamId: team.id, categoryId: category.id}}))},
        ] : []),
        ...(category.type !== 'direct_messages' ? [{
            label: category.muted ? intl.formatMessage({id: 'sidebar.category.unmute', defaultMessage: 'Unmute category'})
                : intl.formatMessage({id: 'sidebar.category.mute', defaultMessage: 'Mute category'}),
            onSelect: () => void setCategoryMuted(team.id, category.id, !category.muted).catch(toast),
        }] : []),
        ...([
            ['alpha', intl.formatMessage({id: 'sidebar.category.sort_alpha', defaultMessage: 'Sort alphabetically'})],
            ['recent', intl.formatMessage({id: 'sidebar.category.sort_recent', defaultMessage: 'Sort by recent activity'})],
            ['manual', intl.formatMessage({id: 'sidebar.category.sort_manual', defaultMessage: 'Sort manually'})],
        ] as const).map(([s, label]) => ({
            label: (s === sorting ? '✓ ' : '') + label,
            onSelect: () => void setSorting(team.id, category.id, s).catch(toast),
        })),
        // moving by the menu, for keyboards (dragging the header does the same)
        ...(cats && cats.order.indexOf(category.id) > 0 ? [{
            label: intl.formatMessage({id: 'sidebar.category.move_up', defaultMessage: 'Move category up'}),
            onSelect: () => void reorderCategories(team.id, category.id, cats.order[cats.order.indexOf(category.id) - 1]).catch(toast),
        }] : []),
        ...(cats && cats.order.indexOf(category.id) < cats.order.length - 1 ? [{
            label: intl.formatMessage({id: 'sidebar.category.move_down', defaultMessage: 'Move category down'}),
            onSelect: () => void reorderCategories(team.id, category.id, cats.order[cats.order.indexOf(category.id) + 2] ?? '').catch(toast),
        }] : []),
        {label: intl.formatMessage({id: 'sidebar.category.create', defaultMessage: 'Create new category'}),
            onSelect: () => update(() => ({modal: {kind: 'category_name', teamId: team.id}}))},
        ...(custom ? [{
            label: intl.formatMessage({id: 'sidebar.category.delete', defaultMessage: 'Delete category'}), danger: true,
            onSelect: () => update(() => ({modal: {
                kind: 'confirm',
                title: intl.formatMessage({id: 'sidebar.category.delete_title', defaultMessage: 'Delete “{category}”?'}, {category: name}),
                body: intl.formatMessage({id: 'sidebar.category.delete_body', defaultMessage: 'Its channels go back to Channels and Direct messages. No channel is left or deleted.'}),
                action: intl.formatMessage({id: 'sidebar.category.delete', defaultMessage: 'Delete category'}),
                danger: true,
                onConfirm: () => deleteCategory(team.id, category.id),
            }}))}] : []),
    ];
    const acceptsChannel = () => dragging?.kind === 'channel' && canHold(category, dragging.channel);
    const headId = `sec-${category.id}`;
    return (
        <section
            className={`sidebar__section${dropCategory === category.id ? ' is-drop-before' : ''}${dropHere ? ' is-drop-target' : ''}${category.muted ? ' is-muted' : ''}`}
            aria-labelledby={headId}
            data-category={category.type === 'custom' ? category.display_name : category.type}
            onDragOver={(e) => {
                if (local) {
                    return;
                }
                if (acceptsChannel()) {
                    e.preventDefault();
                    setDropHere(true);
                } else if (dragging?.kind === 'category' && dragging.id !== category.id) {
                    e.preventDefault();
                    setDropCategory(category.id);
                }
            }}
            onDragLeave={(e) => {
                if (!e.currentTarget.contains(e.relatedTarget as Node | null)) {
                    setDropHere(false);
                    setDropBefore('');
                }
            }}
            onDrop={(e) => {
                const d = dragging;
                setDropHere(false);
                setDropCategory('');
                if (!d || local) {
                    return;
                }
                e.preventDefault();
                dragging = null;
                if (d.kind === 'channel' && canHold(category, d.channel)) {
                    // dropped on the header or below the last channel: at the end
                    void moveChannelTo(team.id, d.channel, category.id, '', shown).catch(toast);
                } else if (d.kind === 'category') {
                    void reorderCategories(team.id, d.id, category.id).catch(toast);
                }
            }}
        >
            <div
                className='sidebar__section-head'
                draggable={!local}
                onDragStart={(e) => {
                    dragging = {kind: 'category', id: category.id};
                    e.dataTransfer.effectAllowed = 'move';
                    e.dataTransfer.setData(MIME, category.id);
                }}
                onDragEnd={() => {
                    dragging = null;
                    setDropCategory('');
                }}
            >
                <button
                    id={headId}
                    type='button'
                    className='sidebar__section-title'
                    aria-expanded={!collapsed}
                    aria-keyshortcuts={cats ? 'Alt+Shift+ArrowUp Alt+Shift+ArrowDown' : undefined}
                    onKeyDown={(e) => {
                        const by = moveKey(e);
                        const at = cats ? cats.order.indexOf(category.id) : -1;
                        if (!by || !cats || at < 0) {
                            return;
                        }
                        e.preventDefault();
                        e.stopPropagation();
                        if (at + by < 0 || at + by >= cats.order.length) {
                            return;
                        }
                        const before = by < 0 ? cats.order[at - 1] : cats.order[at + 2] ?? '';
                        void reorderCategories(team.id, category.id, before).catch(toast);
                        refocus(`#${CSS.escape(headId)}`);
                    }}
                    onClick={() => {
                        if (local) {
                            setLocalCollapsed(!localCollapsed);
                        } else {
                            void setCollapsed(team.id, category.id, !category.collapsed).catch(toast);
                        }
                    }}
                >
                    <Icon name={collapsed ? 'chevron-right' : 'chevron-down'}/>{name}
                    {category.muted && <span className='sidebar__muted-icon'><Icon name='bell-off' size={12}/></span>}
                </button>
                <span className='sidebar__section-actions'>
                    {menu.length > 0 && (
                        <Menu
                            label={intl.formatMessage({id: 'sidebar.category.options', defaultMessage: 'Category options'})}
                            button={<Icon name='dots' size={16}/>}
                            buttonClass='icon-btn icon-btn--sidebar'
                            align='right'
                            items={menu}
                        />
                    )}
                    {addMenu}
                </span>
            </div>
            <ul className='sidebar__list'>
                {visible.map((c) => (
                    <ChannelItem key={c.id} team={team} channel={c} active={c.id === current} category={local ? null : category}
                        cats={cats} shown={shown} dropBefore={dropBefore} setDropBefore={setDropBefore}/>
                ))}
            </ul>
        </section>
    );
}

/** Built-in sections while the categories are not loaded (or the server refused them). */
function fallbackCategories(mine: Channel[], prefs: Parameters<typeof favoriteIds>[0], title: (c: Channel) => string, teamId: string) {
    const s = sidebarSections(mine, favoriteIds(prefs), title);
    const cat = (type: string, ids: Channel[]) => ({
        category: {id: `local-${type}`, type, display_name: '', sorting: 'manual', channel_ids: ids.map((c) => c.id),
            muted: false, collapsed: false, team_id: teamId, user_id: ''} as unknown as ChannelCategory,
        channels: ids,
    });
    return [
        ...(s.favorites.length ? [cat('favorites', s.favorites)] : []),
        cat('channels', s.channels),
        cat('direct_messages', s.direct),
    ];
}

export function SidebarCategories({team, current, guest, openModal}: {
    team: Team; current: string; guest: boolean; openModal: (kind: 'create_channel' | 'browse_channels' | 'new_dm') => void;
}) {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const channels = useStore((s) => s.channels);
    const members = useStore((s) => s.myMembers);
    const prefs = useStore((s) => s.prefs);
    const users = useStore((s) => s.users);
    const crt = useStore(CRT);
    const cats = useStore((s) => s.categories[team.id]);
    const [unreadOnly, setUnreadOnly] = useUnreadFilter();
    const [dropCategory, setDropCategory] = useState('');

    // Until the categories come the list waits (no flash of the built-in sections); if the server
    // refuses them, the built-in sections show instead.
    const [failed, setFailed] = useState('');
    useEffect(() => {
        loadCategories(team.id).then(() => setFailed(''), () => setFailed(team.id));
    }, [team.id, me.id]);

    const groups = useMemo(() => {
        const mine = Object.values(channels).filter((c) => members[c.id] && (c.team_id === team.id || c.team_id === ''));
        const title = (c: Channel) => channelTitle(c, me.id, users);
        // an empty Favorites is left out, as in Mattermost's sidebar
        if (!cats && failed !== team.id) {
            return [];
        }
        const all = (cats ? categorized(cats, mine, title, intl.locale) : fallbackCategories(mine, prefs, title, team.id))
            .filter((g) => g.category.type !== 'favorites' || g.channels.length > 0);
        if (!unreadOnly) {
            return all;
        }
        return all.map((g) => ({
            ...g,
            channels: g.channels.filter((c) => {
                const u = unreadOf(c, members[c.id], crt);
                return c.id === current || u.unread || u.mentions > 0;
            }),
        })).filter((g) => g.channels.length > 0);
    }, [channels, members, prefs, users, team.id, me.id, intl.locale, cats, unreadOnly, crt, current, failed]);

    const newDm = intl.formatMessage({id: 'sidebar.new_dm', defaultMessage: 'Write a direct message'});
    const filterLabel = intl.formatMessage({id: 'sidebar.unread_filter', defaultMessage: 'Show unread channels only'});
    return (
        <>
            <div className='sidebar__filter'>
                <button type='button' className={`sidebar__filter-btn${unreadOnly ? ' is-on' : ''}`} aria-pressed={unreadOnly}
                    title={filterLabel} onClick={() => setUnreadOnly(!unreadOnly)}>
                    <FormattedMessage id='sidebar.unreads' defaultMessage='Unreads'/>
                </button>
            </div>
            {unreadOnly && groups.length === 0 && (
                <p className='sidebar__empty'><FormattedMessage id='sidebar.no_unreads' defaultMessage='No unread channels.'/></p>
            )}
            {groups.map(({category, channels: list}) => {
                let addMenu: React.ReactNode;
                if (category.type === 'channels' && !guest) {
                    addMenu = (
                        <Menu
                            label={intl.formatMessage({id: 'sidebar.add_channels', defaultMessage: 'Add channels'})}
                            button={<Icon name='plus'/>}
                            buttonClass='icon-btn icon-btn--sidebar'
                            items={[
                                {label: intl.formatMessage({id: 'sidebar.create_channel', defaultMessage: 'Create new channel'}), onSelect: () => openModal('create_channel')},
                                {label: intl.formatMessage({id: 'menu.browse_channels', defaultMessage: 'Browse channels'}), onSelect: () => openModal('browse_channels')},
                                ...(cats ? [{label: intl.formatMessage({id: 'sidebar.category.create', defaultMessage: 'Create new category'}),
                                    onSelect: () => update(() => ({modal: {kind: 'category_name' as const, teamId: team.id}}))}] : []),
                            ]}
                        />
                    );
                } else if (category.type === 'direct_messages') {
                    addMenu = (
                        <button type='button' className='icon-btn icon-btn--sidebar' aria-label={newDm} title={newDm} onClick={() => openModal('new_dm')}>
                            <Icon name='plus'/>
                        </button>
                    );
                }
                return (
                    <CategorySection key={category.id} team={team} category={category} channels={list} current={current} cats={cats}
                        filtering={unreadOnly} addMenu={addMenu} dropCategory={dropCategory} setDropCategory={setDropCategory}/>
                );
            })}
        </>
    );
}
