import type {IntlShape} from 'react-intl';
import {useIntl} from 'react-intl';

import {intl as currentIntl} from '../i18n';
import {displayName} from '../lib/channels';
import {useStore} from '../store';

export function typingText(names: string[], intl: IntlShape = currentIntl()): string {
    if (!names.length) {
        return '';
    }
    return intl.formatMessage({id: 'typing', defaultMessage: '{count, plural, one {{names} is typing…} other {{names} are typing…}}'},
        {count: names.length, names: intl.formatList(names, {type: 'conjunction'})});
}

export function TypingIndicator({channelId, rootId}: {channelId: string; rootId: string}) {
    const intl = useIntl();
    const typing = useStore((s) => s.typing[`${channelId}:${rootId}`]);
    const users = useStore((s) => s.users);
    const now = Date.now();
    const names = Object.entries(typing ?? {}).filter(([, exp]) => exp > now).map(([id]) => displayName(users[id]));
    return <div className='typing' aria-live='polite'>{typingText(names, intl)}</div>;
}
