// Emoji shortcodes (Mattermost's names for the common system emoji) and picker categories.

type Entry = [name: string, char: string, ...aliases: string[]];

export const EMOJI_CATEGORIES: Array<{id: string; label: string; emoji: Entry[]}> = [
    {id: 'people', label: 'Smileys & people', emoji: [
        ['smile', '😄'], ['smiley', '😃'], ['grinning', '😀'], ['blush', '😊'], ['wink', '😉'],
        ['heart_eyes', '😍'], ['kissing_heart', '😘'], ['relaxed', '☺️'], ['slightly_smiling_face', '🙂'],
        ['upside_down_face', '🙃'], ['joy', '😂'], ['rofl', '🤣', 'rolling_on_the_floor_laughing'],
        ['laughing', '😆', 'satisfied'], ['sweat_smile', '😅'], ['innocent', '😇'], ['thinking', '🤔', 'thinking_face'],
        ['neutral_face', '😐'], ['expressionless', '😑'], ['unamused', '😒'], ['roll_eyes', '🙄', 'face_with_rolling_eyes'],
        ['grimacing', '😬'], ['relieved', '😌'], ['pensive', '😔'], ['sleepy', '😪'], ['sleeping', '😴'],
        ['mask', '😷'], ['nerd_face', '🤓'], ['sunglasses', '😎'], ['confused', '😕'], ['worried', '😟'],
        ['slightly_frowning_face', '🙁'], ['open_mouth', '😮'], ['hushed', '😯'], ['astonished', '😲'],
        ['flushed', '😳'], ['pleading_face', '🥺'], ['cry', '😢'], ['sob', '😭'], ['scream', '😱'],
        ['confounded', '😖'], ['disappointed', '😞'], ['sweat', '😓'], ['weary', '😩'], ['tired_face', '😫'],
        ['yawning_face', '🥱'], ['triumph', '😤'], ['rage', '😡', 'pout'], ['angry', '😠'], ['smiling_imp', '😈'],
        ['skull', '💀'], ['poop', '💩', 'hankey', 'shit'], ['clown_face', '🤡'], ['ghost', '👻'], ['alien', '👽'],
        ['robot', '🤖', 'robot_face'], ['smiley_cat', '😺'], ['see_no_evil', '🙈'], ['hear_no_evil', '🙉'],
        ['speak_no_evil', '🙊'], ['wave', '👋'], ['raised_hand', '✋', 'hand'], ['ok_hand', '👌'],
        ['v', '✌️'], ['crossed_fingers', '🤞'], ['point_up', '☝️'], ['point_right', '👉'], ['point_left', '👈'],
        ['+1', '👍', 'thumbsup'], ['-1', '👎', 'thumbsdown'], ['fist', '✊'], ['facepunch', '👊', 'punch'],
        ['clap', '👏'], ['raised_hands', '🙌'], ['open_hands', '👐'], ['pray', '🙏'], ['handshake', '🤝'],
        ['muscle', '💪'], ['eyes', '👀'], ['brain', '🧠'], ['man_shrugging', '🤷‍♂️'], ['woman_shrugging', '🤷‍♀️'],
        ['shrug', '🤷'], ['facepalm', '🤦', 'face_palm'], ['dancer', '💃'], ['technologist', '🧑‍💻'],
        ['zany_face', '🤪'], ['star_struck', '🤩'], ['partying_face', '🥳'], ['hugs', '🤗', 'hugging_face'],
        ['shushing_face', '🤫'], ['zipper_mouth_face', '🤐'], ['exploding_head', '🤯'], ['cowboy_hat_face', '🤠'],
    ]},
    {id: 'nature', label: 'Animals & nature', emoji: [
        ['dog', '🐶'], ['cat', '🐱'], ['mouse', '🐭'], ['rabbit', '🐰'], ['fox_face', '🦊'], ['bear', '🐻'],
        ['panda_face', '🐼'], ['koala', '🐨'], ['tiger', '🐯'], ['lion', '🦁'], ['cow', '🐮'], ['pig', '🐷'],
        ['frog', '🐸'], ['monkey_face', '🐵'], ['chicken', '🐔'], ['penguin', '🐧'], ['bird', '🐦'],
        ['owl', '🦉'], ['bee', '🐝', 'honeybee'], ['bug', '🐛'], ['butterfly', '🦋'], ['snail', '🐌'],
        ['turtle', '🐢'], ['snake', '🐍'], ['octopus', '🐙'], ['whale', '🐳'], ['dolphin', '🐬'],
        ['unicorn', '🦄', 'unicorn_face'], ['sloth', '🦥'], ['cactus', '🌵'], ['evergreen_tree', '🌲'],
        ['deciduous_tree', '🌳'], ['seedling', '🌱'], ['herb', '🌿'], ['four_leaf_clover', '🍀'],
        ['maple_leaf', '🍁'], ['sunflower', '🌻'], ['rose', '🌹'], ['tulip', '🌷'], ['cherry_blossom', '🌸'],
        ['sunny', '☀️'], ['partly_sunny', '⛅'], ['cloud', '☁️'], ['rainbow', '🌈'], ['umbrella', '☔'],
        ['zap', '⚡'], ['snowflake', '❄️'], ['fire', '🔥'], ['droplet', '💧'], ['ocean', '🌊'],
        ['star', '⭐'], ['star2', '🌟'], ['sparkles', '✨'], ['dizzy', '💫'], ['crescent_moon', '🌙'],
        ['earth_africa', '🌍'], ['globe_with_meridians', '🌐'],
    ]},
    {id: 'food', label: 'Food & drink', emoji: [
        ['apple', '🍎'], ['green_apple', '🍏'], ['banana', '🍌'], ['watermelon', '🍉'], ['grapes', '🍇'],
        ['strawberry', '🍓'], ['peach', '🍑'], ['cherries', '🍒'], ['lemon', '🍋'], ['avocado', '🥑'],
        ['hot_pepper', '🌶️'], ['corn', '🌽'], ['carrot', '🥕'], ['bread', '🍞'], ['cheese', '🧀'],
        ['egg', '🥚'], ['bacon', '🥓'], ['hamburger', '🍔'], ['fries', '🍟'], ['pizza', '🍕'], ['hotdog', '🌭'],
        ['taco', '🌮'], ['burrito', '🌯'], ['ramen', '🍜'], ['sushi', '🍣'], ['bento', '🍱'], ['doughnut', '🍩'],
        ['cookie', '🍪'], ['cake', '🍰'], ['birthday', '🎂'], ['chocolate_bar', '🍫'], ['popcorn', '🍿'],
        ['coffee', '☕'], ['tea', '🍵'], ['beer', '🍺'], ['beers', '🍻'], ['wine_glass', '🍷'],
        ['cocktail', '🍸'], ['tropical_drink', '🍹'], ['champagne', '🍾'], ['clinking_glasses', '🥂'],
    ]},
    {id: 'activity', label: 'Activities & travel', emoji: [
        ['soccer', '⚽'], ['basketball', '🏀'], ['football', '🏈'], ['baseball', '⚾'], ['tennis', '🎾'],
        ['8ball', '🎱'], ['golf', '⛳'], ['trophy', '🏆'], ['medal_sports', '🏅'], ['1st_place_medal', '🥇'],
        ['dart', '🎯'], ['video_game', '🎮'], ['game_die', '🎲'], ['jigsaw', '🧩'], ['art', '🎨'],
        ['musical_note', '🎵'], ['notes', '🎶'], ['microphone', '🎤'], ['headphones', '🎧'], ['guitar', '🎸'],
        ['car', '🚗', 'red_car'], ['taxi', '🚕'], ['bus', '🚌'], ['train', '🚋'], ['airplane', '✈️'],
        ['rocket', '🚀'], ['ship', '🚢'], ['bike', '🚲'], ['house', '🏠'], ['office', '🏢'],
        ['tent', '⛺'], ['beach_umbrella', '🏖️'], ['mountain', '⛰️'], ['world_map', '🗺️'],
    ]},
    {id: 'objects', label: 'Objects & symbols', emoji: [
        ['tada', '🎉'], ['confetti_ball', '🎊'], ['balloon', '🎈'], ['gift', '🎁'], ['ribbon', '🎀'],
        ['bulb', '💡'], ['computer', '💻'], ['keyboard', '⌨️'], ['phone', '☎️', 'telephone'], ['iphone', '📱'],
        ['email', '📧', 'e-mail'], ['envelope', '✉️'], ['memo', '📝', 'pencil'], ['pencil2', '✏️'],
        ['book', '📖', 'open_book'], ['books', '📚'], ['calendar', '📆'], ['date', '📅'], ['chart_with_upwards_trend', '📈'],
        ['chart_with_downwards_trend', '📉'], ['bar_chart', '📊'], ['clipboard', '📋'], ['pushpin', '📌'],
        ['paperclip', '📎'], ['scissors', '✂️'], ['lock', '🔒'], ['unlock', '🔓'], ['key', '🔑'],
        ['hammer', '🔨'], ['wrench', '🔧'], ['gear', '⚙️'], ['link', '🔗'], ['mag', '🔍'], ['bell', '🔔'],
        ['no_bell', '🔕'], ['hourglass', '⌛'], ['alarm_clock', '⏰'], ['moneybag', '💰'], ['dollar', '💵'],
        ['gem', '💎'], ['package', '📦'], ['mailbox', '📫'], ['warning', '⚠️'], ['no_entry', '⛔'],
        ['no_entry_sign', '🚫'], ['x', '❌'], ['heavy_check_mark', '✔️'], ['white_check_mark', '✅'],
        ['ballot_box_with_check', '☑️'], ['heavy_plus_sign', '➕'], ['heavy_minus_sign', '➖'],
        ['question', '❓'], ['grey_question', '❔'], ['exclamation', '❗', 'heavy_exclamation_mark'],
        ['bangbang', '‼️'], ['100', '💯'], ['heart', '❤️'], ['orange_heart', '🧡'], ['yellow_heart', '💛'],
        ['green_heart', '💚'], ['blue_heart', '💙'], ['purple_heart', '💜'], ['black_heart', '🖤'],
        ['broken_heart', '💔'], ['sparkling_heart', '💖'], ['boom', '💥', 'collision'], ['speech_balloon', '💬'],
        ['thought_balloon', '💭'], ['zzz', '💤'], ['recycle', '♻️'], ['arrow_right', '➡️'], ['arrow_left', '⬅️'],
        ['arrow_up', '⬆️'], ['arrow_down', '⬇️'], ['repeat', '🔁'], ['new', '🆕'], ['free', '🆓'], ['ok', '🆗'],
        ['sos', '🆘'], ['red_circle', '🔴'], ['large_blue_circle', '🔵'], ['white_circle', '⚪'],
        ['black_circle', '⚫'], ['checkered_flag', '🏁'], ['triangular_flag_on_post', '🚩'], ['crown', '👑'],
    ]},
];

const MAP = new Map<string, string>();
for (const cat of EMOJI_CATEGORIES) {
    for (const [name, char, ...aliases] of cat.emoji) {
        MAP.set(name, char);
        for (const a of aliases) {
            MAP.set(a, char);
        }
    }
}

/** The character for a shortcode name (without colons), or undefined. */
export function emojiFor(name: string): string | undefined {
    return MAP.get(name);
}

export const QUICK_REACTIONS = ['+1', 'white_check_mark', 'heart', 'joy', 'tada', 'eyes'];

/** Emoji whose name (or alias) contains the query, primary names first. */
export function searchEmoji(query: string, limit = 60): Array<{name: string; char: string}> {
    const q = query.toLowerCase().replace(/^:|:$/g, '');
    const out: Array<{name: string; char: string}> = [];
    const seen = new Set<string>();
    for (const cat of EMOJI_CATEGORIES) {
        for (const [name, char, ...aliases] of cat.emoji) {
            if (seen.has(name)) {
                continue;
            }
            if (!q || name.includes(q) || aliases.some((a) => a.includes(q))) {
                seen.add(name);
                out.push({name, char});
            }
        }
    }
    const rank = (name: string) => (name === q ? 0 : name.startsWith(q) ? 1 : 2);
    out.sort((a, b) => rank(a.name) - rank(b.name));
    return out.slice(0, limit);
}
