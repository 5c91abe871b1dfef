"""Custom emoji: the wire struct and Mattermost's rules for names and images."""

from __future__ import annotations

import re

from chinwag.model.wire import Wire

#: Mattermost's limits: the upload, the stored image (larger ones are scaled down to fit), the largest
#: original accepted
MAX_EMOJI_FILE_SIZE = 1 << 19
MAX_EMOJI_WIDTH = MAX_EMOJI_HEIGHT = 128
MAX_EMOJI_ORIGINAL_WIDTH = MAX_EMOJI_ORIGINAL_HEIGHT = 1028
EMOJI_NAME_MAX = 64
EMOJI_NAME = re.compile(r"^[a-zA-Z0-9\-+_]+$")

#: system emoji names (the web app's set) a custom emoji may not take
SYSTEM_EMOJI_NAMES = frozenset("""
+1 -1 100 1st_place_medal 8ball airplane alarm_clock alien angry apple arrow_down arrow_left
arrow_right arrow_up art astonished avocado bacon balloon ballot_box_with_check banana bangbang
bar_chart baseball basketball beach_umbrella bear bee beer beers bell bento bike bird birthday
black_circle black_heart blue_heart blush book books boom brain bread broken_heart bug bulb burrito
bus butterfly cactus cake calendar car carrot cat champagne chart_with_downwards_trend
chart_with_upwards_trend checkered_flag cheese cherries cherry_blossom chicken chocolate_bar clap
clinking_glasses clipboard cloud clown_face cocktail coffee collision computer confetti_ball
confounded confused cookie corn cow cowboy_hat_face crescent_moon crossed_fingers crown cry dancer
dart date deciduous_tree disappointed dizzy dog dollar dolphin doughnut droplet e-mail earth_africa
egg email envelope evergreen_tree exclamation exploding_head expressionless eyes face_palm
face_with_rolling_eyes facepalm facepunch fire fist flushed football four_leaf_clover fox_face free
fries frog game_die gear gem ghost gift globe_with_meridians golf grapes green_apple green_heart
grey_question grimacing grinning guitar hamburger hammer hand handshake hankey headphones
hear_no_evil heart heart_eyes heavy_check_mark heavy_exclamation_mark heavy_minus_sign
heavy_plus_sign herb honeybee hot_pepper hotdog hourglass house hugging_face hugs hushed innocent
iphone jigsaw joy key keyboard kissing_heart koala large_blue_circle laughing lemon link lion lock
mag mailbox man_shrugging maple_leaf mask medal_sports memo microphone moneybag monkey_face mountain
mouse muscle musical_note nerd_face neutral_face new no_bell no_entry no_entry_sign notes ocean
octopus office ok ok_hand open_book open_hands open_mouth orange_heart owl package panda_face
paperclip partly_sunny partying_face peach pencil pencil2 penguin pensive phone pig pizza
pleading_face point_left point_right point_up poop popcorn pout pray punch purple_heart pushpin
question rabbit rage rainbow raised_hand raised_hands ramen recycle red_car red_circle relaxed
relieved repeat ribbon robot robot_face rocket rofl roll_eyes rolling_on_the_floor_laughing rose
satisfied scissors scream see_no_evil seedling ship shit shrug shushing_face skull sleeping sleepy
slightly_frowning_face slightly_smiling_face sloth smile smiley smiley_cat smiling_imp snail snake
snowflake sob soccer sos sparkles sparkling_heart speak_no_evil speech_balloon star star2
star_struck strawberry sunflower sunglasses sunny sushi sweat sweat_smile taco tada taxi tea
technologist telephone tennis tent thinking thinking_face thought_balloon thumbsdown thumbsup tiger
tired_face train triangular_flag_on_post triumph trophy tropical_drink tulip turtle umbrella
unamused unicorn unicorn_face unlock upside_down_face v video_game warning watermelon wave weary
whale white_check_mark white_circle wine_glass wink woman_shrugging world_map worried wrench x
yawning_face yellow_heart zany_face zap zipper_mouth_face zzz
""".split())


class Emoji(Wire, kw_only=True):
    id: str
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    creator_id: str = ""
    name: str = ""


def emoji_name_error(name: str) -> str:
    """Why ``name`` cannot be a custom emoji's name ("" when it can)."""
    if not name or len(name) > EMOJI_NAME_MAX:
        return f"a name is 1 to {EMOJI_NAME_MAX} characters"
    if not EMOJI_NAME.match(name):
        return "a name has only letters, digits, '-', '+' and '_'"
    if name.lower() in SYSTEM_EMOJI_NAMES:
        return "a system emoji has this name"
    return ""


def emoji_image_path(emoji_id: str) -> str:
    return f"emoji/{emoji_id}/image"
