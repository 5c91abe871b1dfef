"""A load test of real user behaviour (issue 27): simulated users with mattermost-load-test-ng's
simulation-controller action mix against any Mattermost-API server, generators in several processes,
and the "supported users" search (ramp, bisect, per-endpoint thresholds). `python -m bench.loadtest -h`.

- ``dataset.py``: the generated data set (bulk-import file, loaded with ``chinwag import bulk``)
- ``sim.py``: one simulated user (REST + WebSocket, the action table and its frequencies)
- ``driver.py``: generator processes, measurement windows, thresholds, the search
"""
