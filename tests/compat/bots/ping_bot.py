"""An mmpy_bot bot (run with the .venv-mmpy interpreter): answers "ping" with "pong" in a thread."""

import os

from mmpy_bot import Bot, Message, Plugin, Settings, listen_to


class Ping(Plugin):
    @listen_to("^ping$")
    async def ping(self, message: Message) -> None:
        self.driver.reply_to(message, "pong")


if __name__ == "__main__":
    bot = Bot(
        settings=Settings(
            MATTERMOST_URL=os.environ["BOT_URL"],
            MATTERMOST_PORT=int(os.environ["BOT_PORT"]),
            MATTERMOST_API_PATH="/api/v4",
            BOT_TOKEN=os.environ["BOT_TOKEN"],
            BOT_TEAM=os.environ["BOT_TEAM"],
            SSL_VERIFY=False,
            WEBHOOK_HOST_ENABLED=False,
        ),
        plugins=[Ping()],
    )
    bot.run()
