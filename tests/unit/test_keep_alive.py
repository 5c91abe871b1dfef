"""ServiceSettings.IdleTimeout is the HTTP server's keep-alive (uvicorn's own default closed idle
connections after 5 s)."""

from chinwag.cli.main import keep_alive_s


def test_idle_timeout_is_the_keep_alive() -> None:
    assert keep_alive_s(60, 300) == 60
    assert keep_alive_s(5, 300) == 5


def test_zero_idle_timeout_falls_back_to_the_read_timeout() -> None:
    assert keep_alive_s(0, 300) == 300
    assert keep_alive_s(0, 0) == 1
