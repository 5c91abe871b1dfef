import {displayName} from '../lib/channels';
import {useStore} from '../store';

export function typingText(names: string[]): string {
    if (!names.length) {
        return '';
    }
    if (names.length === 1) {
        return `${names[0]} is typing…`;
    }
    if (names.length === 2) {
        return `${names[0]} and ${names[1]} are typing…`;
    }
    return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing…`;
}

export function TypingIndicator({channelId, rootId}: {channelId: string; rootId: string}) {
    const typing = useStore((s) => s.typing[`${channelId}:${rootId}`]);
    const users = useStore((s) => s.users);
    const now = Date.now();
    const names = Object.entries(typing ?? {}).filter(([, exp]) => exp > now).map(([id]) => displayName(users[id]));
    return <div className='typing' aria-live='polite'>{typingText(names)}</div>;
}
