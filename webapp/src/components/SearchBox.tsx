import {useEffect, useId, useMemo, useRef, useState} from 'react';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {addUsers, ensureUsers} from '../actions';
import {client} from '../client';
import {intl as currentIntl} from '../i18n';
import {channelTitle, dmPartnerId, displayName} from '../lib/channels';
import {applyHint, dateItems, helpItems, hintAt, type SearchHint} from '../lib/search';
import {getState, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {Icon} from './Icon';
import './Search.css';

type Item = {key: string; value: string; label: string; detail: string; userId?: string; icon?: 'hash' | 'lock' | 'at' | 'search'};

/** The in: value and label for a channel: its name, or @username for a direct message. */
function channelItem(c: Channel, myId: string): Item {
    const s = getState();
    if (c.type === 'D') {
        const partner = s.users[dmPartnerId(c, myId)];
        const name = partner?.username ?? c.display_name;
        return {key: c.id, value: `@${name}`, label: `@${name}`, detail: partner ? displayName(partner, 'full_name')
            : currentIntl().formatMessage({id: 'channel.direct_message', defaultMessage: 'Direct message'}), userId: partner?.id};
    }
    return {key: c.id, value: c.name, label: channelTitle(c, myId, s.users), detail: c.type === 'G' ? currentIntl().formatMessage({id: 'search.group_message', defaultMessage: 'Group message'}) : c.name,
        icon: c.type === 'P' ? 'lock' : c.type === 'G' ? 'at' : 'hash'};
}

/** Names starting with the term first, then a word of the label starting with it, then the rest. */
function rankItems(items: Item[], term: string): Item[] {
    const rank = (i: Item) => (i.value.toLowerCase().replace(/^@/, '').startsWith(term) ? 0
        : i.label.toLowerCase().split(/[\s@~_.-]+/).some((w) => w.startsWith(term)) ? 1 : 2);
    return items.map((item, at) => ({item, at, r: rank(item)})).sort((a, b) => a.r - b.r || a.at - b.at).map((x) => x.item);
}

/** Suggestions for a hint: help entries, people (from:), channels (in:) or dates. */
function useSuggestions(team: Team, hint: SearchHint | null): Item[] {
    const locale = useIntl().locale; // the help texts are in the UI's language
    const me = useStore((s) => s.me!);
    const [fetched, setFetched] = useState<{key: string; items: Item[]}>({key: '', items: []});
    const key = hint ? `${hint.kind}:${hint.term}:${hint.prefix}` : '';
    const local = useMemo(() => {
        if (hint?.kind === 'help') {
            return helpItems(hint).map((i) => ({key: i.value, ...i}));
        }
        if (hint?.kind === 'date') {
            return dateItems(hint.term).map((i) => ({key: i.value, ...i}));
        }
        return null;
    }, [key, locale]); // eslint-disable-line react-hooks/exhaustive-deps
    useEffect(() => {
        if (!hint || local) {
            return;
        }
        let cancelled = false;
        const timer = setTimeout(async () => {
            let items: Item[] = [];
            try {
                if (hint.kind === 'from') {
                    const res = await client.autocompleteUsers(hint.term, team.id, '', {limit: 8});
                    const users = [...res.users, ...(res.out_of_channel ?? [])];
                    addUsers(users);
                    items = users.slice(0, 8).map((u) => ({key: u.id, value: u.username, label: `@${u.username}`,
                        detail: displayName(u, 'full_name') === u.username ? '' : displayName(u, 'full_name'), userId: u.id}));
                } else {
                    const channels = await client.autocompleteChannelsForSearch(team.id, hint.term) as Channel[];
                    ensureUsers(channels.filter((c) => c.type === 'D').map((c) => dmPartnerId(c, me.id)));
                    items = channels.slice(0, 10).map((c) => channelItem(c, me.id));
                }
            } catch {
                // No suggestions; searching still works.
            }
            if (!cancelled) {
                setFetched({key, items});
            }
        }, 120);
        return () => {
            cancelled = true;
            clearTimeout(timer);
        };
    }, [key, team.id, me.id]); // eslint-disable-line react-hooks/exhaustive-deps
    if (local || !hint) {
        return local ?? [];
    }
    const term = hint.term.toLowerCase();
    if (fetched.key === key) {
        return rankItems(fetched.items, term);
    }
    // While the answer for what is typed now is on its way, keep the earlier suggestions that
    // still fit, so nothing stale can be completed.
    return fetched.key.startsWith(`${hint.kind}:`) ? rankItems(fetched.items.filter((i) => i.value.toLowerCase().includes(term) ||
        i.label.toLowerCase().includes(term)), term) : [];
}

/** The message search box in the channel header, with Mattermost's search hints. */
export function SearchBox({team}: {team: Team}) {
    const intl = useIntl();
    const current = useStore((s) => (s.rhs?.kind === 'search' ? s.rhs.terms : ''));
    const [text, setText] = useState(current);
    const [caret, setCaret] = useState(-1); // -1: closed (not focused)
    const [active, setActive] = useState(-1);
    const ref = useRef<HTMLInputElement>(null);
    const listId = useId();
    const hint = caret >= 0 ? hintAt(text, caret) : null;
    const items = useSuggestions(team, hint);
    const open = caret >= 0 && items.length > 0;
    // People, channels and dates complete on Enter; the help list only when picked with the arrows.
    const act = active >= 0 ? Math.min(active, items.length - 1) : hint && hint.kind !== 'help' && hint.term ? 0 : -1;

    useEffect(() => {
        setText(current);
    }, [current]);

    useEffect(() => {
        // Ctrl/Cmd+Shift+F focuses search, as in Mattermost.
        const onKey = (e: KeyboardEvent) => {
            if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'f') {
                e.preventDefault();
                ref.current?.focus();
            }
        };
        window.addEventListener('keydown', onKey);
        return () => window.removeEventListener('keydown', onKey);
    }, []);

    const sync = () => {
        const el = ref.current;
        if (el) {
            setCaret(el.selectionStart ?? el.value.length);
        }
    };
    const complete = (item: Item) => {
        if (!hint) {
            return;
        }
        const next = applyHint(text, hint, item.value);
        setText(next.text);
        setActive(-1);
        requestAnimationFrame(() => {
            ref.current?.setSelectionRange(next.caret, next.caret);
            setCaret(next.caret);
        });
    };
    const run = () => {
        const terms = text.trim();
        if (!terms) {
            return;
        }
        setCaret(-1);
        ref.current?.blur();
        update(() => ({rhs: {kind: 'search', terms}}));
    };
    const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
        if (e.nativeEvent.isComposing) {
            return;
        }
        if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            const n = items.length;
            setActive(act < 0 ? (e.key === 'ArrowDown' ? 0 : n - 1) : (act + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        } else if (open && act >= 0 && (e.key === 'Enter' || e.key === 'Tab')) {
            e.preventDefault();
            complete(items[act]);
        } else if (e.key === 'Enter') {
            e.preventDefault();
            run();
        } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            if (open) {
                setCaret(-1);
            } else {
                ref.current?.blur();
            }
        }
    };

    return (
        <div className={`search-box${caret >= 0 ? ' is-focused' : ''}`} role='search' onClick={() => ref.current?.focus()}>
            <Icon name='search' size={16}/>
            <input
                ref={ref}
                className='search-box__input'
                type='search'
                placeholder={intl.formatMessage({id: 'search.placeholder', defaultMessage: 'Search messages'})}
                aria-label={intl.formatMessage({id: 'search.placeholder', defaultMessage: 'Search messages'})}
                role='combobox'
                aria-expanded={open}
                aria-controls={listId}
                aria-autocomplete='list'
                aria-activedescendant={open && act >= 0 ? `${listId}-${act}` : undefined}
                value={text}
                onChange={(e) => {
                    setText(e.target.value);
                    setActive(-1);
                    setCaret(e.target.selectionStart ?? e.target.value.length);
                }}
                onKeyDown={onKeyDown}
                onKeyUp={(e) => {
                    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') {
                        sync();
                    }
                }}
                onClick={sync}
                onFocus={sync}
                onBlur={() => setCaret(-1)}
            />
            {open && (
                <div className='search-box__popup'>
                    <ul className='search-hints' id={listId} role='listbox' aria-label={intl.formatMessage({id: 'search.suggestions', defaultMessage: 'Search suggestions'})}>
                        {items.map((item, i) => (
                            <li
                                key={item.key}
                                id={`${listId}-${i}`}
                                role='option'
                                aria-selected={i === act}
                                className={`search-hints__item${i === act ? ' is-active' : ''}`}
                                onMouseDown={(e) => {
                                    e.preventDefault();
                                    complete(item);
                                }}
                                onMouseEnter={() => setActive(i)}
                            >
                                {item.userId ? <Avatar userId={item.userId} size={20}/> : item.icon ? <Icon name={item.icon} size={16}/> : null}
                                <span className='search-hints__label'>{item.label}</span>
                                <span className='search-hints__detail'>{item.detail}</span>
                            </li>
                        ))}
                    </ul>
                    {hint?.kind === 'help' && (
                        <p className='search-hints__footer'>
                            <FormattedMessage id='search.footer'
                                defaultMessage='Words match inside longer words too; add <b>*</b> for words starting with a prefix. Press <b>Enter</b> to search.'
                                values={{b: (chunks) => <b>{chunks}</b>}}/>
                        </p>
                    )}
                </div>
            )}
        </div>
    );
}
