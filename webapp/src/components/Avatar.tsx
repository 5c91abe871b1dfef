import {avatarUrl} from '../client';
import {useStore} from '../store';

export function Avatar({userId, size = 36, status}: {userId: string; size?: number; status?: string}) {
    const updated = useStore((s) => s.users[userId]?.last_picture_update ?? 0);
    return (
        <span className='avatar' style={{width: size, height: size}}>
            <img src={avatarUrl(userId, updated)} alt='' width={size} height={size} loading='lazy' decoding='async'/>
            {status && <span className={`avatar__status avatar__status--${status}`} aria-hidden='true'/>}
        </span>
    );
}
