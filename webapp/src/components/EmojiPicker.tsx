import {useEffect, useMemo, useRef, useState} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';

import {noteEmojiUse, recentEmoji, setSkinTone, skinTone} from '../actions';
import {emojiCategories, emojiFor, searchEmoji, SKIN_TONES, withSkinTone} from '../lib/emoji';
import {useStore} from '../store';
import {useEmoji} from './useEmoji';

const COLS = 8;

type Item = {name: string; char: string; section: 'recent' | 'all'};

/** A searchable emoji grid with the user's recently used emoji first and their skin tone applied to hand
 * emoji; arrow keys move, Enter picks, Escape closes. */
export function EmojiPicker({onPick, onClose}: {onPick: (name: string) => void; onClose: () => void}) {
    const intl = useIntl();
    const [query, setQuery] = useState('');
    const [active, setActive] = useState(0);
    const ref = useRef<HTMLDivElement>(null);
    const input = useRef<HTMLInputElement>(null);
    const tone = useStore((s) => skinTone(s.prefs));
    const recentPref = useStore((s) => s.prefs.find((p) => p.category === 'recent_emojis' && p.name === s.me?.id)?.value);
    const meId = useStore((s) => s.me?.id ?? '');
    const ready = useEmoji(); // the table is its own chunk, fetched when the picker first opens
    const recent = useMemo(() => recentEmoji([{user_id: meId, category: 'recent_emojis', name: meId, value: recentPref ?? ''}], meId),
        [recentPref, meId, ready]); // eslint-disable-line react-hooks/exhaustive-deps
    const items: Item[] = useMemo(() => {
        const toned = (name: string, char: string, section: Item['section']): Item => {
            const n = withSkinTone(name, tone);
            return {name: n, char: emojiFor(n) ?? char, section};
        };
        if (query) {
            return searchEmoji(query, 200).map((e) => toned(e.name, e.char, 'all'));
        }
        const recents = recent.map((r) => ({name: r.name, char: emojiFor(r.name) ?? '', section: 'recent' as const}));
        return [...recents, ...emojiCategories().flatMap((c) => c.emoji.map(([name, char]) => toned(name, char, 'all')))];
    }, [query, tone, recent, ready]); // eslint-disable-line react-hooks/exhaustive-deps
    const recentCount = items.filter((i) => i.section === 'recent').length;

    useEffect(() => {
        input.current?.focus();
        const onDoc = (e: MouseEvent) => {
            if (!ref.current?.contains(e.target as Node)) {
                onClose();
            }
        };
        document.addEventListener('mousedown', onDoc);
        return () => document.removeEventListener('mousedown', onDoc);
    }, [onClose]);

    useEffect(() => {
        ref.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({block: 'nearest'});
    }, [active]);

    const move = (d: number) => setActive((a) => Math.max(0, Math.min(items.length - 1, a + d)));
    const pick = (name: string) => {
        noteEmojiUse(name);
        onPick(name);
    };
    const button = (e: Item, i: number) => (
        <button
            key={`${e.section}-${e.name}`}
            type='button'
            role='option'
            aria-selected={i === active}
            data-index={i}
            data-emoji={e.name}
            className={`emoji-picker__item${i === active ? ' is-active' : ''}`}
            title={`:${e.name}:`}
            aria-label={e.name}
            tabIndex={-1}
            onMouseEnter={() => setActive(i)}
            onClick={() => pick(e.name)}
        >
            {e.char}
        </button>
    );

    return (
        <div className='emoji-picker' ref={ref} role='dialog' aria-label={intl.formatMessage({id: 'emoji.picker', defaultMessage: 'Emoji picker'})}
            onKeyDown={(e) => {
                if (e.key === 'Escape') {
                    e.preventDefault();
                    e.stopPropagation();
                    onClose();
                } else if (e.key === 'ArrowRight') {
                    e.preventDefault();
                    move(1);
                } else if (e.key === 'ArrowLeft') {
                    e.preventDefault();
                    move(-1);
                } else if (e.key === 'ArrowDown') {
                    e.preventDefault();
                    move(COLS);
                } else if (e.key === 'ArrowUp') {
                    e.preventDefault();
                    move(-COLS);
                } else if (e.key === 'Enter' && items[active] && e.target === input.current) {
                    e.preventDefault();
                    pick(items[active].name);
                }
            }}>
            <div className='emoji-picker__top'>
                <input
                    ref={input}
                    className='input emoji-picker__search'
                    placeholder={intl.formatMessage({id: 'emoji.search', defaultMessage: 'Search emoji'})}
                    aria-label={intl.formatMessage({id: 'emoji.search', defaultMessage: 'Search emoji'})}
                    value={query}
                    onChange={(e) => {
                        setQuery(e.target.value);
                        setActive(0);
                    }}
                />
                <div className='emoji-picker__tones' role='radiogroup' aria-label={intl.formatMessage({id: 'emoji.skin_tone', defaultMessage: 'Skin tone'})}>
                    {SKIN_TONES.map((t, i) => (
                        <button key={t.code} type='button' role='radio' aria-checked={tone === t.code}
                            className={`emoji-picker__tone${tone === t.code ? ' is-active' : ''}`}
                            aria-label={intl.formatMessage({id: 'emoji.tone', defaultMessage: 'Skin tone {n}'}, {n: i + 1})}
                            title={intl.formatMessage({id: 'emoji.tone', defaultMessage: 'Skin tone {n}'}, {n: i + 1})}
                            onClick={() => void setSkinTone(t.code).catch(() => undefined)}>
                            {'✋' + t.mod}
                        </button>
                    ))}
                </div>
            </div>
            <div className='emoji-picker__grid' role='listbox' aria-label={intl.formatMessage({id: 'emoji.list', defaultMessage: 'Emoji'})}>
                {recentCount > 0 && (
                    <>
                        <div className='emoji-picker__section' role='presentation'><FormattedMessage id='emoji.recent' defaultMessage='Recently used'/></div>
                        {items.slice(0, recentCount).map((e, i) => button(e, i))}
                        <div className='emoji-picker__section' role='presentation'><FormattedMessage id='emoji.all' defaultMessage='All emoji'/></div>
                    </>
                )}
                {items.slice(recentCount).map((e, i) => button(e, i + recentCount))}
                {!ready && <div className='spinner' role='status' aria-label={intl.formatMessage({id: 'emoji.loading', defaultMessage: 'Loading emoji…'})}/>}
                {ready && !items.length && <p className='muted emoji-picker__empty'><FormattedMessage id='emoji.none' defaultMessage='No emoji found'/></p>}
            </div>
            <div className='emoji-picker__preview' aria-live='polite'>{items[active] ? `:${items[active].name}:` : ''}</div>
        </div>
    );
}
