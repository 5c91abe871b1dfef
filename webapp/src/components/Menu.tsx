import {type CSSProperties, useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode} from 'react';

export type MenuItem = {label: string; onSelect: () => void; danger?: boolean};

/** A button that opens a keyboard-navigable menu (ARIA menu button pattern). ``floating``: the list is placed
 * over the page above the button (fixed), for a button inside a scrolling box that would clip it. */
export function Menu({label, button, buttonClass = 'icon-btn', items, align = 'left', floating = false}: {
    label: string; button: ReactNode; buttonClass?: string; items: MenuItem[]; align?: 'left' | 'right'; floating?: boolean;
}) {
    const [open, setOpen] = useState(false);
    const [active, setActive] = useState(0);
    const id = useId();
    const ref = useRef<HTMLDivElement>(null);
    const btn = useRef<HTMLButtonElement>(null);
    const itemRefs = useRef<Array<HTMLButtonElement | null>>([]);
    const list = useRef<HTMLDivElement>(null);
    const [up, setUp] = useState(false);
    const [place, setPlace] = useState<CSSProperties | undefined>(undefined);

    // Open upwards when the list would run past the bottom of what clips it (the message list, the window).
    useLayoutEffect(() => {
        if (!open || !list.current) {
            setUp(false);
            return;
        }
        if (floating) {
            const b = btn.current?.getBoundingClientRect();
            setPlace(b && (align === 'right'
                ? {bottom: window.innerHeight - b.top + 4, right: window.innerWidth - b.right}
                : {bottom: window.innerHeight - b.top + 4, left: b.left}));
            return;
        }
        const rect = list.current.getBoundingClientRect();
        let bottom = window.innerHeight;
        for (let el = ref.current?.parentElement; el; el = el.parentElement) {
            const overflow = getComputedStyle(el).overflowY;
            if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') {
                bottom = Math.min(bottom, el.getBoundingClientRect().bottom);
                break;
            }
        }
        const btnTop = btn.current?.getBoundingClientRect().top ?? 0;
        setUp(rect.bottom > bottom && btnTop - rect.height > 0);
    }, [open, floating, align]);

    useEffect(() => {
        if (!open) {
            return;
        }
        itemRefs.current[active]?.focus();
    }, [open, active]);

    useEffect(() => {
        if (!open) {
            return;
        }
        const onDoc = (e: MouseEvent) => {
            if (!ref.current?.contains(e.target as Node)) {
                setOpen(false);
            }
        };
        document.addEventListener('mousedown', onDoc);
        return () => document.removeEventListener('mousedown', onDoc);
    }, [open]);

    const close = (focusButton = true) => {
        setOpen(false);
        if (focusButton) {
            btn.current?.focus();
        }
    };

    return (
        <div className='menu' ref={ref}>
            <button
                ref={btn}
                type='button'
                className={buttonClass}
                aria-haspopup='menu'
                aria-expanded={open}
                aria-controls={open ? id : undefined}
                aria-label={label}
                title={label}
                onClick={(e) => {
                    e.stopPropagation();
                    setActive(0);
                    setOpen(!open);
                }}
                onKeyDown={(e) => {
                    if (e.key === 'ArrowDown') {
                        e.preventDefault();
                        setActive(0);
                        setOpen(true);
                    }
                }}
            >
                {button}
            </button>
            {open && (
                <div
                    ref={list}
                    id={id}
                    role='menu'
                    className={`menu__list menu__list--${align}${up ? ' menu__list--up' : ''}${floating ? ' menu__list--floating' : ''}`}
                    style={floating ? place : undefined}
                    onKeyDown={(e) => {
                        if (e.key === 'Escape') {
                            e.preventDefault();
                            e.stopPropagation();
                            close();
                        } else if (e.key === 'ArrowDown') {
                            e.preventDefault();
                            setActive((active + 1) % items.length);
                        } else if (e.key === 'ArrowUp') {
                            e.preventDefault();
                            setActive((active - 1 + items.length) % items.length);
                        } else if (e.key === 'Tab') {
                            close(false);
                        }
                    }}
                >
                    {items.map((item, i) => (
                        <button
                            key={item.label}
                            ref={(el) => {
                                itemRefs.current[i] = el;
                            }}
                            type='button'
                            role='menuitem'
                            tabIndex={i === active ? 0 : -1}
                            className={`menu__item${item.danger ? ' menu__item--danger' : ''}`}
                            onClick={() => {
                                close(false);
                                item.onSelect();
                            }}
                        >
                            {item.label}
                        </button>
                    ))}
                </div>
            )}
        </div>
    );
}
