import {useEffect, useMemo, useRef, useState} from 'react';

import {EMOJI_CATEGORIES, searchEmoji} from '../lib/emoji';

const COLS = 8;

/** A searchable emoji grid; arrow keys move, Enter picks, Escape closes. */
export function EmojiPicker({onPick, onClose}: {onPick: (name: string) => void; onClose: () => void}) {
    const [query, setQuery] = useState('');
    const [active, setActive] = useState(0);
    const ref = useRef<HTMLDivElement>(null);
    const input = useRef<HTMLInputElement>(null);
    const items = useMemo(() => (query ? searchEmoji(query, 200) : EMOJI_CATEGORIES.flatMap((c) => c.emoji.map(([name, char]) => ({name, char})))), [query]);

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

    return (
        <div className='emoji-picker' ref={ref} role='dialog' aria-label='Emoji picker'
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
                } else if (e.key === 'Enter' && items[active]) {
                    e.preventDefault();
                    onPick(items[active].name);
                }
            }}>
            <input
                ref={input}
                className='input emoji-picker__search'
                placeholder='Search emoji'
                aria-label='Search emoji'
                value={query}
                onChange={(e) => {
                    setQuery(e.target.value);
                    setActive(0);
                }}
            />
            <div className='emoji-picker__grid' role='listbox' aria-label='Emoji'>
                {items.map((e, i) => (
                    <button
                        key={e.name}
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
                        onClick={() => onPick(e.name)}
                    >
                        {e.char}
                    </button>
                ))}
                {!items.length && <p className='muted emoji-picker__empty'>No emoji found</p>}
            </div>
            <div className='emoji-picker__preview' aria-live='polite'>{items[active] ? `:${items[active].name}:` : ''}</div>
        </div>
    );
}
