// Custom statuses: the emoji shown next to a name (its text as the tooltip), and the dialog that sets
// one (emoji, text, when to clear it; recent and suggested statuses) — PUT/DELETE
// /users/me/status/custom through Client4, as Mattermost's web app does.
import {useState} from 'react';
import {defineMessages, FormattedMessage, useIntl, type IntlShape, type MessageDescriptor} from 'react-intl';

import {client, errorText} from '../client';
import {
    customStatusOf, DURATIONS, expiryFor, hasExpiry, recentStatuses, SUGGESTED, type CustomStatus, type Duration,
} from '../lib/custom_status';
import {emojiFor} from '../lib/emoji';
import {useEmoji} from './useEmoji';
import {update, useStore} from '../store';
import {EmojiPicker} from './EmojiPicker';
import {Icon} from './Icon';
import {close, Modal} from './Modals';

const M = defineMessages({
    '': {id: 'custom_status.clear.never', defaultMessage: 'Don’t clear'},
    thirty_minutes: {id: 'custom_status.clear.thirty_minutes', defaultMessage: '30 minutes'},
    one_hour: {id: 'custom_status.clear.one_hour', defaultMessage: '1 hour'},
    four_hours: {id: 'custom_status.clear.four_hours', defaultMessage: '4 hours'},
    today: {id: 'custom_status.clear.today', defaultMessage: 'Today'},
    this_week: {id: 'custom_status.clear.this_week', defaultMessage: 'This week'},
    date_and_time: {id: 'custom_status.clear.date_and_time', defaultMessage: 'Choose date and time'},
    meeting: {id: 'custom_status.suggestion.meeting', defaultMessage: 'In a meeting'},
    lunch: {id: 'custom_status.suggestion.lunch', defaultMessage: 'Out for lunch'},
    sick: {id: 'custom_status.suggestion.sick', defaultMessage: 'Out sick'},
    home: {id: 'custom_status.suggestion.home', defaultMessage: 'Working from home'},
    vacation: {id: 'custom_status.suggestion.vacation', defaultMessage: 'On a vacation'},
}) as unknown as Record<string, MessageDescriptor>;

/** "Until 15:30" today, else "Until Sun, Dec 13"; '' without an expiry. */
export function untilText(cs: CustomStatus, intl: IntlShape, now = Date.now()): string {
    if (!hasExpiry(cs)) {
        return '';
    }
    const at = new Date(cs.expires_at);
    const sameDay = at.toDateString() === new Date(now).toDateString();
    const when = sameDay ? intl.formatTime(at, {hour: 'numeric', minute: '2-digit'})
        : intl.formatDate(at, {weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit'});
    return intl.formatMessage({id: 'custom_status.until', defaultMessage: 'Until {when}'}, {when});
}

function EmojiChar({name}: {name: string}) {
    useEmoji();
    const char = emojiFor(name);
    return char ? <>{char}</> : <span className='custom-status__code'>:{name}:</span>;
}

/** The emoji of a user's status next to their name (nothing when they have none). */
export function StatusEmoji({userId, withText = false}: {userId: string; withText?: boolean}) {
    const intl = useIntl();
    const user = useStore((s) => s.users[userId]);
    const cs = customStatusOf(user);
    if (!cs) {
        return null;
    }
    const until = untilText(cs, intl);
    const label = [cs.text, until].filter(Boolean).join(' · ') || `:${cs.emoji}:`;
    return (
        <span className='custom-status' title={label} aria-label={intl.formatMessage({id: 'custom_status.label', defaultMessage: 'Status: {text}'}, {text: label})}
            role='img' data-testid='custom-status'>
            <span aria-hidden='true'><EmojiChar name={cs.emoji}/></span>
            {withText && cs.text && <span className='custom-status__text' aria-hidden='true'>{cs.text}</span>}
        </span>
    );
}

export function CustomStatusModal() {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const prefs = useStore((s) => s.prefs);
    const current = customStatusOf(me);
    const [emoji, setEmoji] = useState(current?.emoji ?? '');
    const [text, setText] = useState(current?.text ?? '');
    const [duration, setDuration] = useState<Duration>(current?.duration ?? 'today');
    const [chosen, setChosen] = useState(() => {
        const d = new Date(Date.now() + 60 * 60000);
        d.setMinutes(0, 0, 0);
        return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    });
    const [picker, setPicker] = useState(false);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const recent = recentStatuses(prefs);

    const refresh = async () => {
        const u = await client.getMe();
        update((s) => ({me: u, users: {...s.users, [u.id]: u}}));
    };

    const run = async (fn: () => Promise<unknown>) => {
        setBusy(true);
        setError('');
        try {
            await fn();
            await refresh();
            close();
        } catch (e) {
            setError(errorText(e, intl.formatMessage({id: 'custom_status.failed', defaultMessage: 'Could not update your status.'})));
            setBusy(false);
        }
    };

    const save = () => run(() => client.updateCustomStatus({
        emoji: emoji || 'speech_balloon',
        text: text.trim(),
        duration: duration,
        expires_at: expiryFor(duration, new Date(), new Date(chosen)),
    } as never));

    const pick = (cs: {emoji: string; text: string; duration: Duration}) => {
        setEmoji(cs.emoji);
        setText(cs.text);
        setDuration(cs.duration === 'date_and_time' ? '' : cs.duration);
    };

    const suggestions = SUGGESTED.map((s) => ({emoji: s.emoji, text: intl.formatMessage(M[s.key]), duration: s.duration}))
        .filter((s) => !recent.some((r) => r.text === s.text));

    return (
        <Modal title={intl.formatMessage({id: 'custom_status.title', defaultMessage: 'Set a status'})} onSubmit={(e) => {
            e.preventDefault();
            void save();
        }} footer={<>
            {current && (
                <button type='button' className='btn btn--ghost' disabled={busy} onClick={() => void run(() => client.unsetCustomStatus())}>
                    <FormattedMessage id='custom_status.clear' defaultMessage='Clear status'/>
                </button>
            )}
            <span className='spacer'/>
            <button type='button' className='btn btn--secondary' onClick={close}><FormattedMessage id='common.cancel' defaultMessage='Cancel'/></button>
            <button type='submit' className='btn btn--primary' disabled={busy || (!text.trim() && !emoji)}>
                <FormattedMessage id='custom_status.set' defaultMessage='Set status'/>
            </button>
        </>}>
            <div className='custom-status-form'>
                <div className='custom-status-form__row'>
                    <span className='reaction-add'>
                        <button type='button' className='icon-btn custom-status-form__emoji'
                            aria-label={intl.formatMessage({id: 'custom_status.choose_emoji', defaultMessage: 'Choose an emoji'})}
                            onClick={() => setPicker(!picker)}>
                            {emoji ? <EmojiChar name={emoji}/> : <Icon name='smile'/>}
                        </button>
                        {picker && <EmojiPicker onPick={(name) => {
                            setPicker(false);
                            setEmoji(name);
                        }} onClose={() => setPicker(false)}/>}
                    </span>
                    <input className='input' value={text} maxLength={100} autoFocus
                        placeholder={intl.formatMessage({id: 'custom_status.placeholder', defaultMessage: 'What’s your status?'})}
                        aria-label={intl.formatMessage({id: 'custom_status.text', defaultMessage: 'Status text'})}
                        onChange={(e) => setText(e.target.value)}/>
                </div>
                <label className='field'>
                    <span className='field__label'><FormattedMessage id='custom_status.clear_after' defaultMessage='Clear after'/></span>
                    <select className='input' value={duration} onChange={(e) => setDuration(e.target.value as Duration)}>
                        {DURATIONS.map((d) => <option key={d} value={d}>{intl.formatMessage(M[d])}</option>)}
                    </select>
                </label>
                {duration === 'date_and_time' && (
                    <label className='field'>
                        <span className='field__label'><FormattedMessage id='custom_status.date_time' defaultMessage='Date and time'/></span>
                        <input className='input' type='datetime-local' value={chosen} onChange={(e) => setChosen(e.target.value)}/>
                    </label>
                )}
                {!text && !emoji && (
                    <>
                        {recent.length > 0 && (
                            <StatusList title={intl.formatMessage({id: 'custom_status.recent', defaultMessage: 'Recent'})} items={recent} onPick={pick}
                                onRemove={(cs) => void client.removeRecentCustomStatus(cs as never).catch(() => undefined)}/>
                        )}
                        <StatusList title={intl.formatMessage({id: 'custom_status.suggestions', defaultMessage: 'Suggestions'})} items={suggestions} onPick={pick}/>
                    </>
                )}
                {error && <p className='form-error' role='alert'>{error}</p>}
            </div>
        </Modal>
    );
}

function StatusList({title, items, onPick, onRemove}: {
    title: string;
    items: Array<{emoji: string; text: string; duration: Duration}>;
    onPick: (cs: {emoji: string; text: string; duration: Duration}) => void;
    onRemove?: (cs: CustomStatus) => void;
}) {
    const intl = useIntl();
    return (
        <section className='custom-status-list' aria-label={title}>
            <h3 className='field__label'>{title}</h3>
            <ul>
                {items.map((cs) => (
                    <li key={`${cs.emoji}:${cs.text}`}>
                        <button type='button' className='custom-status-list__item' onClick={() => onPick(cs)}>
                            <span aria-hidden='true'><EmojiChar name={cs.emoji}/></span>
                            <span>{cs.text}</span>
                            <span className='muted'>{intl.formatMessage(M[cs.duration] ?? M[''])}</span>
                        </button>
                        {onRemove && (
                            <button type='button' className='icon-btn icon-btn--small'
                                aria-label={intl.formatMessage({id: 'files.remove_name', defaultMessage: 'Remove {name}'}, {name: cs.text})}
                                onClick={() => onRemove(cs as CustomStatus)}>
                                <Icon name='close' size={12}/>
                            </button>
                        )}
                    </li>
                ))}
            </ul>
        </section>
    );
}
