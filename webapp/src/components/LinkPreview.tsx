// A link's preview card under a message: the `opengraph` embed the server puts in `metadata.embeds`
// (Mattermost's shape: site name, title, description, an image), never fetched by the browser itself.
import type {Post} from '@mattermost/types/posts';
import {useState} from 'react';

import {useStore} from '../store';

type OgImage = {url?: string; secure_url?: string; width?: number; height?: number};
type Og = {title?: string; description?: string; site_name?: string; images?: OgImage[] | null};

const HTTP = /^https?:\/\//i;

function host(url: string): string {
    try {
        return new URL(url).hostname;
    } catch {
        return url;
    }
}

export function LinkPreview({post}: {post: Post}) {
    const proxy = useStore((s) => s.config.HasImageProxy === 'true');
    const [broken, setBroken] = useState(false);
    const embed = post.metadata?.embeds?.find((e) => e.type === 'opengraph');
    const og = embed?.data as Og | undefined;
    if (!embed || !og || !HTTP.test(embed.url) || !(og.title || og.description)) {
        return null;
    }
    const image = og.images?.find((i) => HTTP.test(i.secure_url || i.url || ''));
    const raw = image ? (image.secure_url || image.url || '') : '';
    const src = raw && proxy ? `/api/v4/image?url=${encodeURIComponent(raw)}` : raw;
    return (
        <div className='link-preview' data-testid='link-preview'>
            <div className='link-preview__text'>
                <span className='link-preview__site'>{og.site_name || host(embed.url)}</span>
                <a className='link-preview__title' href={embed.url} target='_blank' rel='noopener noreferrer'>{og.title || embed.url}</a>
                {og.description && <p className='link-preview__description'>{og.description}</p>}
            </div>
            {src && !broken && (
                <img className='link-preview__image' src={src} alt='' loading='lazy' referrerPolicy='no-referrer'
                    width={image?.width || undefined} height={image?.height || undefined} onError={() => setBroken(true)}/>
            )}
        </div>
    );
}
