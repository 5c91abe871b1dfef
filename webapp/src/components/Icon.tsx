// Inline SVG icons (stroke-based, 24×24 grid).
const PATHS: Record<string, string> = {
    'hash': 'M5 9h14M5 15h14M10 3 8 21M16 3l-2 18',
    'lock': 'M7 11V8a5 5 0 0 1 10 0v3M6 11h12v10H6z',
    'plus': 'M12 5v14M5 12h14',
    'chevron-down': 'm6 9 6 6 6-6',
    'chevron-right': 'm9 6 6 6-6 6',
    'threads': 'M4 5h16v10H9l-5 4zM8 9h8M8 12h5',
    'smile': 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8.5 14a4 4 0 0 0 7 0M9 9.5h.01M15 9.5h.01',
    'reply': 'M10 8 4 13l6 5M4 13h10a6 6 0 0 1 6 6',
    'dots': 'M5 12h.01M12 12h.01M19 12h.01',
    'pin': 'M9 4h6l-1 6 4 3v2h-5v6l-1 1-1-1v-6H6v-2l4-3z',
    'close': 'M6 6l12 12M18 6 6 18',
    'menu': 'M4 6h16M4 12h16M4 18h16',
    'users': 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M17 11a3 3 0 1 0 0-6M22 21a6 6 0 0 0-4-5.6',
    'info': 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v6M12 7.5h.01',
    'edit': 'M4 20h4L19 9l-4-4L4 16zM14 6l4 4',
    'trash': 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
    'link': 'M10 14a4 4 0 0 0 6 0l3-3a4 4 0 0 0-6-6l-1 1M14 10a4 4 0 0 0-6 0l-3 3a4 4 0 0 0 6 6l1-1',
    'send': 'M4 12 20 4l-6 16-3-7zM11 13l9-9',
    'star': 'm12 3 2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9z',
    'at': 'M16 12a4 4 0 1 1-8 0 4 4 0 0 1 8 0zm0 0v1.5a2.5 2.5 0 0 0 5 0V12a9 9 0 1 0-4 7.5',
    'search': 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM21 21l-5-5',
    'arrow-left': 'M19 12H5M11 6l-6 6 6 6',
    'settings': 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 0 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 0 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 0 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 0 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z',
    'bell': 'M13.7 21a2 2 0 0 1-3.4 0M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9',
    'bell-off': 'M13.7 21a2 2 0 0 1-3.4 0M18.6 13A18 18 0 0 1 18 8M6.3 6.3A6 6 0 0 0 6 8c0 7-3 9-3 9h14M18 8a6 6 0 0 0-9.3-5M1 1l22 22',
    'archive': 'M3 4h18v4H3zM5 8v12h14V8M10 12h4',
    'check': 'm5 12 5 5 9-10',
    'paperclip': 'm21 11-8.5 8.5a5 5 0 0 1-7-7L14 4a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L15.5 7',
    'download': 'M12 4v11M7 10l5 5 5-5M5 20h14',
    'copy': 'M9 9h11v11H9zM5 15H4V4h11v1',
    'plug': 'M9 2v6M15 2v6M6 8h12v4a6 6 0 0 1-12 0zM12 18v4',
};

export function Icon({name, size = 18, filled = false}: {name: string; size?: number; filled?: boolean}) {
    return (
        <svg className='icon' width={size} height={size} viewBox='0 0 24 24' aria-hidden='true' focusable='false'
            fill={filled ? 'currentColor' : 'none'} stroke='currentColor' strokeWidth={name === 'dots' ? 3 : 2}
            strokeLinecap='round' strokeLinejoin='round'>
            <path d={PATHS[name] ?? ''}/>
        </svg>
    );
}
