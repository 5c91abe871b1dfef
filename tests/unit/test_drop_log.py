"""DropLog: a read that began before a key's drop may not fill the cache for that key; other keys may."""

from chinwag.app.cache import DropLog


def test_a_drop_refuses_fills_of_its_key_begun_before_it() -> None:
    log = DropLog()
    mark = log.mark()
    log.drop("a")
    assert not log.fresh("a", mark)
    assert log.fresh("b", mark)
    assert log.fresh("a", log.mark())  # a read begun after the drop


def test_drop_all_and_a_full_log_refuse_every_earlier_read() -> None:
    log = DropLog(maxsize=2)
    mark = log.mark()
    log.drop_all()
    assert not log.fresh("x", mark) and log.fresh("x", log.mark())
    mark = log.mark()
    log.drop("a")
    log.drop("b")
    log.drop("c")  # the log is full: it forgets its keys and refuses every read begun before
    assert not log.fresh("z", mark)
    later = log.mark()
    assert log.fresh("a", later) and log.fresh("c", later)
