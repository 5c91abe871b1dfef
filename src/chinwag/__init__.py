"""chinwag: a self-hosted team chat server speaking Mattermost's API v4."""

__version__ = "0.1.0"
# The Mattermost server version we present to clients (X-Version-Id, hello, ping).
MATTERMOST_VERSION = "10.11.0"
BUILD_NUMBER = "chinwag-0.1.0"
